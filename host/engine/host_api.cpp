// The th_host_api table: C trampolines from plugins into the Engine that owns the instance.
#include "engine/engine.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace tradehost::engine {
namespace {

std::string key_of(th_str k) { return k.len && k.ptr ? std::string(k.ptr, k.len) : std::string(); }

/// The value of a config key: the component's own keys first, then the host keys of the node
/// (a strategy may read its instruments, timeframe and connector). nullptr when absent.
const graph::Value* find_value(th_instance* self, th_str key) {
  if (!self || !self->node) return nullptr;
  auto it = self->node->config.find(key_of(key));
  return it == self->node->config.end() ? nullptr : &it->second;
}

void h_log(th_instance* self, int32_t level, th_str msg) {
  const std::string who = self ? self->name : "plugin";
  const std::string_view m(msg.ptr ? msg.ptr : "", msg.len);
  switch (level) {
    case TH_LOG_TRACE: spdlog::trace("[{}] {}", who, m); break;
    case TH_LOG_DEBUG: spdlog::debug("[{}] {}", who, m); break;
    case TH_LOG_INFO: spdlog::info("[{}] {}", who, m); break;
    case TH_LOG_WARN: spdlog::warn("[{}] {}", who, m); break;
    default: spdlog::error("[{}] {}", who, m); break;
  }
}

th_time_ns h_now(th_instance* self) { return self && self->engine ? self->engine->now() : 0; }

th_status h_config_str(th_instance* self, th_str key, th_str* out) {
  const std::string k = key_of(key);
  if (self && self->node && self->kind == TH_KIND_STRATEGY) {
    if (k == "connector") { *out = th_str{self->node->connector.data(), self->node->connector.size()}; return TH_OK; }
    if (k == "timeframe") { *out = th_str{self->node->timeframe.data(), self->node->timeframe.size()}; return TH_OK; }
  }
  if (self && self->node && k == "name") { *out = th_str{self->node->name.data(), self->node->name.size()}; return TH_OK; }
  const graph::Value* v = find_value(self, key);
  if (!v) return TH_ERR_NOT_FOUND;
  if (v->type != graph::FieldType::Str && v->type != graph::FieldType::Decimal && v->type != graph::FieldType::Duration)
    return TH_ERR_INVALID_ARG;
  *out = th_str{v->str.data(), v->str.size()};
  return TH_OK;
}

th_status h_config_i64(th_instance* self, th_str key, int64_t* out) {
  if (self && self->node && self->kind == TH_KIND_STRATEGY && key_of(key) == "timeframe") { *out = self->node->timeframe_ns; return TH_OK; }
  const graph::Value* v = find_value(self, key);
  if (!v) return TH_ERR_NOT_FOUND;
  if (v->type != graph::FieldType::I64 && v->type != graph::FieldType::Duration) return TH_ERR_INVALID_ARG;
  *out = v->i64;
  return TH_OK;
}

th_status h_config_f64(th_instance* self, th_str key, double* out) {
  const graph::Value* v = find_value(self, key);
  if (!v) return TH_ERR_NOT_FOUND;
  if (v->type == graph::FieldType::F64) *out = v->f64;
  else if (v->type == graph::FieldType::I64) *out = static_cast<double>(v->i64);
  else return TH_ERR_INVALID_ARG;
  return TH_OK;
}

th_status h_config_bool(th_instance* self, th_str key, int32_t* out) {
  const graph::Value* v = find_value(self, key);
  if (!v) return TH_ERR_NOT_FOUND;
  if (v->type != graph::FieldType::Bool) return TH_ERR_INVALID_ARG;
  *out = v->b ? 1 : 0;
  return TH_OK;
}

const std::vector<std::string>* list_of(th_instance* self, th_str key, th_status& st) {
  if (self && self->node && self->kind == TH_KIND_STRATEGY && key_of(key) == "instruments") { st = TH_OK; return &self->node->instruments; }
  const graph::Value* v = find_value(self, key);
  if (!v) { st = TH_ERR_NOT_FOUND; return nullptr; }
  if (v->type != graph::FieldType::StrList) { st = TH_ERR_INVALID_ARG; return nullptr; }
  st = TH_OK;
  return &v->list;
}

th_status h_config_list_len(th_instance* self, th_str key, size_t* out) {
  th_status st;
  const auto* l = list_of(self, key, st);
  if (l) *out = l->size();
  return st;
}

th_status h_config_list_str(th_instance* self, th_str key, size_t index, th_str* out) {
  th_status st;
  const auto* l = list_of(self, key, st);
  if (!l) return st;
  if (index >= l->size()) return TH_ERR_NOT_FOUND;
  *out = th_str{(*l)[index].data(), (*l)[index].size()};
  return TH_OK;
}

th_status h_define_instrument(th_instance* self, const th_instrument* in, th_instrument_id* out) {
  return self && self->engine ? self->engine->define_instrument(self, in, out) : TH_ERR_NOT_READY;
}
const th_instrument* h_instrument(th_instance* self, th_instrument_id id) {
  return self && self->engine ? self->engine->instrument(id) : nullptr;
}
th_status h_find_instrument(th_instance* self, th_str venue, th_str symbol, th_instrument_id* out) {
  return self && self->engine && out ? self->engine->find_instrument(venue, symbol, out) : TH_ERR_NOT_READY;
}
th_status h_emit(th_instance* self, const th_event* ev) {
  return self && self->engine ? self->engine->emit(self, ev) : TH_ERR_NOT_READY;
}
th_status h_submit_order(th_instance* self, const th_order_request* req, uint64_t* id, th_str* reason) {
  return self && self->engine ? self->engine->submit_order(self, req, id, reason) : TH_ERR_NOT_READY;
}
th_status h_cancel_order(th_instance* self, uint64_t id) {
  return self && self->engine ? self->engine->cancel_order(self, id) : TH_ERR_NOT_READY;
}
th_status h_record_decision(th_instance* self, th_instrument_id inst, int32_t action, th_str reason, th_str inputs) {
  return self && self->engine ? self->engine->record_decision(self, inst, action, reason, inputs) : TH_ERR_NOT_READY;
}
th_status h_position(th_instance* self, th_instrument_id id, th_position_info* out) {
  return self && self->engine ? self->engine->position(id, out) : TH_ERR_NOT_READY;
}
th_status h_account(th_instance* self, th_account_info* out) {
  return self && self->engine ? self->engine->account(out) : TH_ERR_NOT_READY;
}
th_status h_last_price(th_instance* self, th_instrument_id id, th_fixed* out) {
  return self && self->engine ? self->engine->last_price(id, out) : TH_ERR_NOT_READY;
}
uint64_t h_timer_start(th_instance* self, th_time_ns period, int32_t repeat, uint64_t cookie) {
  return self && self->engine ? self->engine->timer_start(self, period, repeat, cookie) : 0;
}
void h_timer_cancel(th_instance* self, uint64_t id) {
  if (self && self->engine) self->engine->timer_cancel(id);
}
th_status h_post(th_instance* self, uint64_t cookie) {
  return self && self->engine ? self->engine->post(self, cookie) : TH_ERR_NOT_READY;
}

uint64_t h_http_request(th_instance* self, const th_http_request* req, uint64_t cookie) {
  return self && self->engine ? self->engine->http_request(self, req, cookie) : 0;
}
th_status h_http_cancel(th_instance* self, uint64_t id) {
  return self && self->engine ? self->engine->http_cancel(self, id) : TH_ERR_NOT_READY;
}
th_status h_rate_budget(th_instance* self, th_str name, th_str venue, int64_t limit, th_time_ns interval, th_str usage_header) {
  return self && self->engine ? self->engine->rate_budget(self, name, venue, limit, interval, usage_header) : TH_ERR_NOT_READY;
}
uint64_t h_ws_open(th_instance* self, th_str url, uint64_t cookie) {
  return self && self->engine ? self->engine->ws_open(self, url, cookie) : 0;
}
th_status h_ws_send(th_instance* self, uint64_t conn, th_str text) {
  return self && self->engine ? self->engine->ws_send(self, conn, text) : TH_ERR_NOT_READY;
}
void h_ws_close(th_instance* self, uint64_t conn) {
  if (self && self->engine) self->engine->ws_close(self, conn);
}
th_status h_credential_api_key(th_instance* self, th_str* out) {
  return self && self->engine ? self->engine->credential_api_key(self, out) : TH_ERR_NOT_READY;
}
th_status h_sign(th_instance* self, int32_t algorithm, th_bytes payload, char* out, size_t cap, size_t* len) {
  return self && self->engine ? self->engine->sign(self, algorithm, payload, out, cap, len) : TH_ERR_NOT_READY;
}

th_status h_kill_switch(th_instance* self, int32_t state, th_str reason) {
  return self && self->engine ? self->engine->kill_switch(self, state, reason) : TH_ERR_NOT_READY;
}
th_status h_kill_state(th_instance* self, int32_t* out) {
  return self && self->engine ? self->engine->kill_state(out) : TH_ERR_NOT_READY;
}

const th_host_api kHostApi = [] {
  th_host_api a{};
  a.struct_size = sizeof a;
  a.abi_version = TH_ABI_VERSION;
  a.register_component = &loader::register_component;
  a.log = &h_log;
  a.now = &h_now;
  a.config_str = &h_config_str;
  a.config_i64 = &h_config_i64;
  a.config_f64 = &h_config_f64;
  a.config_bool = &h_config_bool;
  a.config_list_len = &h_config_list_len;
  a.config_list_str = &h_config_list_str;
  a.define_instrument = &h_define_instrument;
  a.instrument = &h_instrument;
  a.find_instrument = &h_find_instrument;
  a.emit = &h_emit;
  a.submit_order = &h_submit_order;
  a.cancel_order = &h_cancel_order;
  a.record_decision = &h_record_decision;
  a.position = &h_position;
  a.account = &h_account;
  a.last_price = &h_last_price;
  a.timer_start = &h_timer_start;
  a.timer_cancel = &h_timer_cancel;
  a.post = &h_post;
  a.http_request = &h_http_request;
  a.http_cancel = &h_http_cancel;
  a.rate_budget = &h_rate_budget;
  a.ws_open = &h_ws_open;
  a.ws_send = &h_ws_send;
  a.ws_close = &h_ws_close;
  a.credential_api_key = &h_credential_api_key;
  a.sign = &h_sign;
  a.kill_switch = &h_kill_switch;
  a.kill_state = &h_kill_state;
  return a;
}();

}  // namespace

const th_host_api* host_api() noexcept { return &kHostApi; }

}  // namespace tradehost::engine
