// trials.c — N env slots running multi-episode trials in lockstep (see
// metarl/trials.h). The evaluator and the trainer both drive this.
// Tested by tests/test_trials.c.
#include "metarl/trials.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metarl/pool.h"
#include "metarl/util.h"

static size_t align64(size_t n) {
    return (n + 63u) & ~(size_t)63u;
}

int mrl_trials_init(MrlTrialSlots* ts, const MrlEnvApi* api, const MrlEnvInfo* info,
                    const double* params, int32_t n_slots, int32_t threads, char* err) {
    memset(ts, 0, sizeof *ts);
    if (n_slots < 1 || threads < 1) {
        return mrl_fail(err, MRL_EINVAL, "error: need at least one slot and one thread");
    }
    ts->api = api;
    ts->info = *info;
    ts->n_slots = n_slots;
    ts->obs_floats = mrl_space_floats(&info->obs);
    ts->act_floats = mrl_space_floats(&info->action);
    ts->state_stride = align64((size_t)info->state_bytes);
    ts->task_stride = align64((size_t)info->task_bytes);
    size_t N = (size_t)n_slots, O = (size_t)ts->obs_floats, A = (size_t)ts->act_floats;
    ts->states = aligned_alloc(64, N * ts->state_stride);
    ts->tasks = aligned_alloc(64, N * ts->task_stride);
    ts->state_ptrs = calloc(N, sizeof(void*));
    ts->set_id = calloc(N, sizeof(uint64_t));
    ts->trial_id = calloc(N, sizeof(int64_t));
    ts->fingerprint = calloc(N, sizeof(uint64_t));
    ts->episodes = calloc(N, sizeof(int32_t));
    ts->episode = calloc(N, sizeof(int32_t));
    ts->ep_len = calloc(N, sizeof(int64_t));
    ts->ep_ret = calloc(N, sizeof(double));
    ts->env_rng = calloc(N, sizeof(MrlRng));
    ts->agent_rng = calloc(N, sizeof(MrlRng));
    ts->obs = calloc(N * O, sizeof(float));
    ts->prev_action = calloc(N * A, sizeof(float));
    ts->prev_reward = calloc(N, sizeof(float));
    ts->flags = calloc(N, sizeof(int32_t));
    ts->action = calloc(N * A, sizeof(float));
    ts->step_reward = calloc(N, sizeof(float));
    ts->step_term = calloc(N, sizeof(int32_t));
    ts->step_trunc = calloc(N, sizeof(int32_t));
    ts->ended = calloc(N, sizeof(int32_t));
    ts->trial_done = calloc(N, sizeof(int32_t));
    ts->last = calloc(N, sizeof(MrlEpisodeResult));
    ts->next_obs = calloc(N * O, sizeof(float));
    ts->status = calloc(N, sizeof(int32_t));
    ts->errs = calloc(N, MRL_ERR_MAX);
    if (!ts->states || !ts->tasks || !ts->state_ptrs || !ts->set_id || !ts->trial_id ||
        !ts->fingerprint || !ts->episodes || !ts->episode || !ts->ep_len || !ts->ep_ret ||
        !ts->env_rng || !ts->agent_rng || !ts->obs || !ts->prev_action || !ts->prev_reward ||
        !ts->flags || !ts->action || !ts->step_reward || !ts->step_term || !ts->step_trunc ||
        !ts->ended || !ts->trial_done || !ts->last || !ts->next_obs || !ts->status ||
        !ts->errs) {
        mrl_trials_release(ts);
        return mrl_fail(err, MRL_ENOMEM, "error: out of memory for %d slots", (int)n_slots);
    }
    memset(ts->states, 0, N * ts->state_stride);
    memset(ts->tasks, 0, N * ts->task_stride);
    int32_t inited = 0;
    for (size_t s = 0; s < N; s++) {
        ts->state_ptrs[s] = ts->states + s * ts->state_stride;
        char perr[MRL_ERR_MAX] = "";
        int rc = api->init(ts->state_ptrs[s], params, perr);
        if (rc != MRL_OK) {
            // release only what was initialised
            ts->n_slots = inited;
            mrl_trials_release(ts);
            return mrl_fail(err, rc, "%s: error: init failed: %s", api->name,
                            perr[0] ? perr : "no message");
        }
        inited++;
    }
    ts->pool = threads > 1 && n_slots > 1 ? mrl_pool_new(threads < n_slots ? threads : n_slots)
                                          : NULL;
    ts->batch.n_slots = n_slots;
    ts->batch.obs_floats = ts->obs_floats;
    ts->batch.act_floats = ts->act_floats;
    ts->batch.info = &ts->info;
    ts->batch.obs = ts->obs;
    ts->batch.final_obs = ts->next_obs;
    ts->batch.prev_action = ts->prev_action;
    ts->batch.prev_reward = ts->prev_reward;
    ts->batch.flags = ts->flags;
    ts->batch.episode = ts->episode;
    ts->batch.episodes = ts->episodes;
    ts->batch.ep_step = ts->ep_len;
    ts->batch.api = api;
    ts->batch.env_states = ts->state_ptrs;
    return MRL_OK;
}

static int reset_slot(MrlTrialSlots* ts, int32_t s) {
    mrl_rng_derive(&ts->env_rng[s], ts->seed, MRL_DOMAIN_EPISODE, ts->set_id[s],
                   (uint64_t)ts->trial_id[s], (uint64_t)ts->episode[s]);
    char* e = ts->errs + (size_t)s * MRL_ERR_MAX;
    e[0] = '\0';
    ts->ep_len[s] = 0;
    ts->ep_ret[s] = 0.0;
    return ts->api->reset(ts->state_ptrs[s], ts->obs + (size_t)s * ts->obs_floats,
                          ts->tasks + (size_t)s * ts->task_stride, &ts->env_rng[s], e);
}

int mrl_trials_start(MrlTrialSlots* ts, int32_t slot, const void* task, uint64_t fingerprint,
                     int32_t episodes, uint64_t seed, uint64_t set_id, int64_t trial_id,
                     char* err) {
    if (slot < 0 || slot >= ts->n_slots || episodes < 1) {
        return mrl_fail(err, MRL_EINVAL, "error: bad slot %d or episode count %d", (int)slot,
                        (int)episodes);
    }
    size_t s = (size_t)slot;
    memcpy(ts->tasks + s * ts->task_stride, task, (size_t)ts->info.task_bytes);
    ts->seed = seed;
    ts->set_id[s] = set_id;
    ts->trial_id[s] = trial_id;
    ts->fingerprint[s] = fingerprint;
    ts->episodes[s] = episodes;
    ts->episode[s] = 0;
    mrl_rng_derive(&ts->agent_rng[s], seed, MRL_DOMAIN_AGENT, set_id, (uint64_t)trial_id, 0);
    memset(ts->prev_action + s * (size_t)ts->act_floats, 0, (size_t)ts->act_floats * sizeof(float));
    ts->prev_reward[s] = 0.0f;
    ts->ended[s] = 0;
    ts->trial_done[s] = 0;
    int rc = reset_slot(ts, slot);
    if (rc != MRL_OK) {
        ts->flags[s] = 0;
        return mrl_fail(err, rc, "%s: error: reset failed: %s", ts->api->name,
                        ts->errs[s * MRL_ERR_MAX] ? ts->errs + s * MRL_ERR_MAX : "no message");
    }
    ts->flags[s] = MRL_SLOT_ACTIVE | MRL_SLOT_TRIAL_START | MRL_SLOT_EPISODE_START;
    return MRL_OK;
}

// steps slots [lo, hi); each slot touches only its own rows
static void step_range(void* ctx, int64_t lo, int64_t hi) {
    MrlTrialSlots* ts = ctx;
    const MrlEnvApi* api = ts->api;
    size_t O = (size_t)ts->obs_floats, A = (size_t)ts->act_floats;
    for (int64_t i = lo; i < hi; i++) {
        size_t s = (size_t)i;
        ts->ended[s] = 0;
        ts->trial_done[s] = 0;
        ts->status[s] = MRL_OK;
        if (!(ts->flags[s] & MRL_SLOT_ACTIVE)) {
            continue;
        }
        char* e = ts->errs + s * MRL_ERR_MAX;
        float* obs = ts->obs + s * O;
        const float* act = ts->action + s * A;
        float reward = 0.0f;
        int32_t term = MRL_TERM_NONE, trunc = 0;
        e[0] = '\0';
        int rc = api->step(ts->state_ptrs[s], obs, &reward, &term, &trunc, act, &ts->env_rng[s], e);
        if (rc == MRL_OK && !isfinite(reward)) {
            // one NaN would poison every return, advantage and statistic after it
            snprintf(e, MRL_ERR_MAX,
                     "step returned reward %g (episode %d, step %lld): a "
                     "reward must be finite",
                     (double)reward, (int)ts->episode[s] + 1, (long long)ts->ep_len[s] + 1);
            rc = MRL_EPLUGIN;
        }
        if (rc != MRL_OK) {
            ts->status[s] = rc;
            ts->flags[s] = 0;
            continue;
        }
        ts->ep_len[s]++;
        ts->ep_ret[s] += (double)reward;
        if (term == MRL_TERM_NONE && !trunc && ts->ep_len[s] >= ts->info.max_episode_steps) {
            trunc = 1; // the host enforces the declared horizon
        }
        ts->step_reward[s] = reward;
        ts->step_term[s] = term;
        ts->step_trunc[s] = trunc;
        memcpy(ts->prev_action + s * A, act, A * sizeof(float));
        ts->prev_reward[s] = reward;
        if (term == MRL_TERM_NONE && !trunc) {
            ts->flags[s] = MRL_SLOT_ACTIVE;
            continue;
        }
        ts->ended[s] = 1;
        memcpy(ts->next_obs + s * O, obs, O * sizeof(float));
        MrlEpisodeResult* r = &ts->last[s];
        r->trial_id = ts->trial_id[s];
        r->fingerprint = ts->fingerprint[s];
        r->episode = ts->episode[s];
        r->success = term == MRL_TERM_SUCCESS;
        r->terminated = term;
        r->truncated = trunc;
        r->length = ts->ep_len[s];
        r->ret = ts->ep_ret[s];
        if (ts->episode[s] + 1 < ts->episodes[s]) {
            ts->episode[s]++;
            rc = reset_slot(ts, (int32_t)s);
            if (rc != MRL_OK) {
                ts->status[s] = rc;
                ts->flags[s] = 0;
                continue;
            }
            ts->flags[s] = MRL_SLOT_ACTIVE | MRL_SLOT_EPISODE_START;
        } else {
            ts->trial_done[s] = 1;
            ts->flags[s] = 0;
        }
    }
}

int mrl_trials_step(MrlTrialSlots* ts, char* err) {
    mrl_pool_run(ts->pool, step_range, ts, ts->n_slots);
    for (int32_t s = 0; s < ts->n_slots; s++) {
        if (ts->status[s] != MRL_OK) {
            const char* e = ts->errs + (size_t)s * MRL_ERR_MAX;
            return mrl_fail(err, ts->status[s], "%s: error: slot %d (trial %lld): %s",
                            ts->api->name, (int)s, (long long)ts->trial_id[s],
                            e[0] ? e : "step/reset failed");
        }
    }
    return MRL_OK;
}

int32_t mrl_trials_active(const MrlTrialSlots* ts) {
    int32_t n = 0;
    for (int32_t s = 0; s < ts->n_slots; s++) {
        n += (ts->flags[s] & MRL_SLOT_ACTIVE) != 0;
    }
    return n;
}

void mrl_trials_release(MrlTrialSlots* ts) {
    mrl_pool_free(ts->pool);
    if (ts->api && ts->api->release && ts->state_ptrs) {
        for (int32_t s = 0; s < ts->n_slots; s++) {
            if (ts->state_ptrs[s]) {
                ts->api->release(ts->state_ptrs[s]);
            }
        }
    }
    free(ts->states);
    free(ts->tasks);
    free(ts->state_ptrs);
    free(ts->set_id);
    free(ts->trial_id);
    free(ts->fingerprint);
    free(ts->episodes);
    free(ts->episode);
    free(ts->ep_len);
    free(ts->ep_ret);
    free(ts->env_rng);
    free(ts->agent_rng);
    free(ts->obs);
    free(ts->prev_action);
    free(ts->prev_reward);
    free(ts->flags);
    free(ts->action);
    free(ts->step_reward);
    free(ts->step_term);
    free(ts->step_trunc);
    free(ts->ended);
    free(ts->trial_done);
    free(ts->last);
    free(ts->next_obs);
    free(ts->status);
    free(ts->errs);
    memset(ts, 0, sizeof *ts);
}
