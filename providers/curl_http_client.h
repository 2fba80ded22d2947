// The libcurl transport of HttpClient (one or more I/O threads, each with a multi handle and its
// own connection pool). Internal to providers/: HttpClient::create() picks the transport.
#pragma once

#include <memory>

#include "core/result.h"
#include "providers/http_client.h"

namespace fulcrum::providers {

// curl_global_init, once per process.
Status curl_global_setup();
std::unique_ptr<HttpClient> make_curl_http_client(const HttpClientOptions& options);

}  // namespace fulcrum::providers
