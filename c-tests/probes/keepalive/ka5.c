/* MQTT 5 keepalive probe: connect with keepalive from $KA to a fake broker that never answers PINGREQ. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>
#include "MQTTClient.h"
static double t0;
static double now(void){struct timespec ts;clock_gettime(CLOCK_MONOTONIC,&ts);return ts.tv_sec+ts.tv_nsec/1e9;}
static void lost(void*c,char*cause){(void)c;(void)cause;printf("%.2f connection lost\n",now()-t0);fflush(stdout);}
static int arrived(void*c,char*t,int l,MQTTClient_message*m){(void)c;(void)l;MQTTClient_freeMessage(&m);MQTTClient_free(t);return 1;}
int main(int argc,char**argv){
  MQTTClient c; MQTTClient_createOptions co=MQTTClient_createOptions_initializer; co.MQTTVersion=MQTTVERSION_5;
  MQTTClient_createWithOptions(&c,argv[1],"kaprobe5",MQTTCLIENT_PERSISTENCE_NONE,NULL,&co);
  MQTTClient_setCallbacks(c,NULL,lost,arrived,NULL);
  MQTTClient_connectOptions o=MQTTClient_connectOptions_initializer5; o.keepAliveInterval=atoi(getenv("KA"));
  t0=now(); MQTTResponse r=MQTTClient_connect5(c,&o,NULL,NULL); printf("%.2f connect rc=%d\n",now()-t0,r.reasonCode);fflush(stdout);
  sleep(atoi(argv[2])); return 0;
}
