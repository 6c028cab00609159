/* Interned account names, the u64 map, and stake per (hotkey, subnet). */
#include "chain/chain_internal.h"

#include <string.h>

/* ------------------------------------------------------------------- map */

static uint64_t map_slot_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

void chain_map_free(chain_map *m)
{
    free(m->keys);
    free(m->vals);
    *m = (chain_map){0};
}

static size_t map_find(const chain_map *m, uint64_t key)
{
    size_t mask = m->cap - 1, i = map_slot_hash(key) & mask;
    while (m->keys[i] && m->keys[i] != key + 1)
        i = (i + 1) & mask;
    return i;
}

bool chain_map_get(const chain_map *m, uint64_t key, uint64_t *val)
{
    if (!m->cap)
        return false;
    size_t i = map_find(m, key);
    if (!m->keys[i])
        return false;
    if (val)
        *val = m->vals[i];
    return true;
}

static int map_grow(chain_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    chain_map n = {calloc(ncap, sizeof *n.keys), calloc(ncap, sizeof *n.vals), ncap, 0};
    if (!n.keys || !n.vals) {
        chain_map_free(&n);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = map_find(&n, m->keys[i] - 1);
            n.keys[j] = m->keys[i];
            n.vals[j] = m->vals[i];
            n.len++;
        }
    chain_map_free(m);
    *m = n;
    return 0;
}

int chain_map_put(chain_map *m, uint64_t key, uint64_t val)
{
    if ((m->len + 1) * 4 > m->cap * 3 && map_grow(m))
        return ERR_NOMEM;
    size_t i = map_find(m, key);
    if (!m->keys[i]) {
        m->keys[i] = key + 1;
        m->len++;
    }
    m->vals[i] = val;
    return 0;
}

void chain_map_del(chain_map *m, uint64_t key)
{
    if (!m->cap)
        return;
    size_t mask = m->cap - 1, i = map_find(m, key);
    if (!m->keys[i])
        return;
    /* Backward-shift deletion keeps every probe chain unbroken. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->keys[j])
            break;
        size_t home = map_slot_hash(m->keys[j] - 1) & mask;
        bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (between)
            continue;
        m->keys[i] = m->keys[j];
        m->vals[i] = m->vals[j];
        i = j;
    }
    m->keys[i] = 0;
    m->len--;
}

/* ------------------------------------------------------------------ keys */

/* Names hash to a u64; a (vanishingly rare) collision probes on by rehashing. */
static uint64_t name_hash_next(uint64_t h)
{
    h = hash64_mix(h, 0x9e3779b97f4a7c15ULL);
    return h == UINT64_MAX ? h - 1 : h;
}

static uint64_t name_hash(const char *name)
{
    uint64_t h = hash64_str(name);
    return h == UINT64_MAX ? h - 1 : h;
}

uint32_t chain_key_find(const chain *c, const char *name)
{
    uint64_t id;
    for (uint64_t h = name_hash(name); chain_map_get(&c->key_ids, h, &id); h = name_hash_next(h))
        if (!strcmp(c->keys.v[id].name, name))
            return (uint32_t)id;
    return CHAIN_NO_KEY;
}

int chain_key_intern(chain *c, const char *name, uint32_t *id)
{
    uint64_t h = name_hash(name), found;
    for (; chain_map_get(&c->key_ids, h, &found); h = name_hash_next(h))
        if (!strcmp(c->keys.v[found].name, name)) {
            *id = (uint32_t)found;
            return 0;
        }
    if (c->keys.len >= CHAIN_NO_KEY - 1)
        return ERR_NOMEM;
    char *copy = strdup(name);
    if (!copy)
        return ERR_NOMEM;
    chain_key k = {.name = copy, .owner = CHAIN_NO_KEY};
    if (VEC_PUSH(&c->keys, k)) {
        free(copy);
        return ERR_NOMEM;
    }
    if (chain_map_put(&c->key_ids, h, c->keys.len - 1)) {
        c->keys.len--;
        free(copy);
        return ERR_NOMEM;
    }
    *id = (uint32_t)(c->keys.len - 1);
    return 0;
}

/* ----------------------------------------------------------------- stake */

uint64_t chain_stake_of(const chain *c, uint32_t hk, uint16_t netuid)
{
    uint64_t slot;
    return chain_map_get(&c->stake, chain_hk_net(hk, netuid), &slot) ? c->stakes.v[slot] : 0;
}

int chain_stake_slot(chain *c, uint32_t hk, uint16_t netuid, uint32_t *slot)
{
    uint64_t s;
    if (chain_map_get(&c->stake, chain_hk_net(hk, netuid), &s)) {
        *slot = (uint32_t)s;
        return 0;
    }
    if (c->stakes.len >= UINT32_MAX || VEC_PUSH(&c->stakes, 0))
        return ERR_NOMEM;
    if (chain_map_put(&c->stake, chain_hk_net(hk, netuid), c->stakes.len - 1)) {
        c->stakes.len--;
        return ERR_NOMEM;
    }
    *slot = (uint32_t)(c->stakes.len - 1);
    return 0;
}

int chain_stake_add(chain *c, uint32_t hk, uint16_t netuid, uint64_t rao)
{
    uint32_t slot;
    if (chain_stake_slot(c, hk, netuid, &slot))
        return ERR_NOMEM;
    chain_slot_add(c, slot, rao);
    return 0;
}

uint64_t chain_stake(const chain *c, const char *hotkey, uint16_t netuid)
{
    uint32_t hk = chain_key_find(c, hotkey);
    return hk == CHAIN_NO_KEY ? 0 : chain_stake_of(c, hk, netuid);
}

uint64_t chain_balance(const chain *c, const char *coldkey)
{
    uint32_t ck = chain_key_find(c, coldkey);
    return ck == CHAIN_NO_KEY ? 0 : c->keys.v[ck].balance;
}

int chain_fund(chain *c, const char *coldkey, uint64_t rao, err *e)
{
    uint32_t ck;
    if (!coldkey || !*coldkey)
        return err_set(e, ERR_INPUT, "fund: empty coldkey");
    if (chain_key_intern(c, coldkey, &ck))
        return err_set(e, ERR_NOMEM, "fund: out of memory");
    uint64_t *b = &c->keys.v[ck].balance;
    *b = rao > UINT64_MAX - *b ? UINT64_MAX : *b + rao;
    return 0;
}

int chain_add_stake(chain *c, const char *coldkey, const char *hotkey, uint16_t netuid,
                    uint64_t rao, err *e)
{
    if (!chain_subnet_find(c, netuid))
        return err_set(e, ERR_NOTFOUND, "add_stake: subnet %u does not exist (SubnetNotExists)",
                       (unsigned)netuid);
    if (!hotkey || !*hotkey || !coldkey || !*coldkey)
        return err_set(e, ERR_INPUT, "add_stake: empty hotkey or coldkey");
    uint32_t ck = chain_key_find(c, coldkey);
    uint64_t have = ck == CHAIN_NO_KEY ? 0 : c->keys.v[ck].balance;
    if (have < rao)
        return err_set(e, ERR_INPUT,
                       "add_stake: coldkey '%s' has %llu rao, needs %llu (NotEnoughBalanceToStake)",
                       coldkey, (unsigned long long)have, (unsigned long long)rao);
    uint32_t hk;
    if (chain_key_intern(c, hotkey, &hk))
        return err_set(e, ERR_NOMEM, "add_stake: out of memory");
    if (chain_stake_add(c, hk, netuid, rao))
        return err_set(e, ERR_NOMEM, "add_stake: out of memory");
    /* The first coldkey to stake to an unowned hotkey owns it (create_account_if_non_existent). */
    if (c->keys.v[hk].owner == CHAIN_NO_KEY)
        c->keys.v[hk].owner = ck;
    c->keys.v[ck].balance -= rao;
    return 0;
}
