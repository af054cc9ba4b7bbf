/*
 * SPDX-License-Identifier: EPL-2.0 OR BSD-3-Clause
 *
 * paho-mqtt-c-rs: a Rust implementation of the Eclipse Paho MQTT C client API.
 *
 * LIBMQTT_API marks every public function. On ELF it is `extern` for users of the
 * library and default visibility when PAHO_MQTT_EXPORTS is set; on Windows it selects
 * dllexport/dllimport.
 */
#if !defined(EXPORTDECLARATIONS_H)
#define EXPORTDECLARATIONS_H

#if defined(_WIN32) || defined(_WIN64)
#   if defined(PAHO_MQTT_EXPORTS)
#       define LIBMQTT_API __declspec(dllexport)
#   elif defined(PAHO_MQTT_IMPORTS)
#       define LIBMQTT_API __declspec(dllimport)
#   else
#       define LIBMQTT_API
#   endif
#else
#    if defined(PAHO_MQTT_EXPORTS)
#       define LIBMQTT_API  __attribute__ ((visibility ("default")))
#    else
#       define LIBMQTT_API extern
#    endif
#endif

#endif
