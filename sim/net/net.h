/* net: the virtual network between actors (latency, bandwidth, loss, partitions)
 * that the virtual-time runtime asks for every message; live mode's HTTP server
 * and client will live here too. */
#ifndef SUBNETSIM_NET_H
#define SUBNETSIM_NET_H

#include "core/core.h"

/* One direction of one hop. Latency is lognormal around `latency_median` (with
 * spread `latency_sigma`; 0 = fixed), plus wire_bytes / bandwidth. */
typedef struct net_link_params {
    int64_t latency_median_us;
    double latency_sigma;
    double bandwidth_bps;      /* bytes per second; 0 = unlimited */
    double loss;               /* probability a message is lost: the caller times out */
} net_link_params;

/* A partition: between start and end, messages between actors of group a and
 * group b (actor kinds or names; "*" = any) are refused. */
typedef struct net_partition {
    int64_t start_us, end_us;
    char a[64], b[64];
} net_partition;

typedef struct net_model {
    net_link_params dflt;
    net_partition *partitions;
    size_t npartitions;
} net_model;

/* Defaults: loopback-like links of a few milliseconds, no loss. */
void net_model_default(net_model *m);

typedef enum { NET_DELIVER, NET_LOST, NET_REFUSED } net_fate;

/* Decide a message's fate and delay. kind/name identify the two ends for
 * partitions. r is the sender's own network stream. */
net_fate net_send(const net_model *m, int64_t now_us, const char *from_kind, const char *from_name,
                  const char *to_kind, const char *to_name, size_t wire_bytes, rng *r,
                  int64_t *delay_us);

#endif
