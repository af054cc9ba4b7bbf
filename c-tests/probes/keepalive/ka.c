/* Keepalive probe: connect with keepalive K, then either stay idle or publish QoS 0 every
   second to a topic nobody subscribes to, printing timestamps; mosquitto -v logs PINGREQs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include "MQTTClient.h"
static double t0;
static double now(void){struct timespec ts;clock_gettime(CLOCK_MONOTONIC,&ts);return ts.tv_sec+ts.tv_nsec/1e9;}
static void lost(void*c,char*cause){(void)c;printf("%.2f connection lost\n",now()-t0);fflush(stdout);}
static int arrived(void*c,char*t,int l,MQTTClient_message*m){(void)c;(void)l;MQTTClient_freeMessage(&m);MQTTClient_free(t);return 1;}
int main(int argc,char**argv){
  const char*uri=argv[1]; int mode=atoi(argv[2]); int secs=atoi(argv[3]);
  MQTTClient c; MQTTClient_create(&c,uri,"kaprobe",MQTTCLIENT_PERSISTENCE_NONE,NULL);
  MQTTClient_setCallbacks(c,NULL,lost,arrived,NULL);
  MQTTClient_connectOptions o=MQTTClient_connectOptions_initializer; o.keepAliveInterval=atoi(getenv("KA")); o.cleansession=1;
  t0=now();
  int rc=MQTTClient_connect(c,&o); printf("%.2f connect rc=%d\n",now()-t0,rc); fflush(stdout);
  for(int i=0;i<secs;i++){
    if(mode==1){MQTTClient_message m=MQTTClient_message_initializer; m.payload="x"; m.payloadlen=1; m.qos=0;
      MQTTClient_deliveryToken tok; rc=MQTTClient_publishMessage(c,"ka/nobody",&m,&tok); printf("%.2f pub rc=%d\n",now()-t0,rc);fflush(stdout);}
    sleep(1);
  }
  return 0;
}
