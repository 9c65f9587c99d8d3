// metarl/config.h — the run configuration: a YAML file (plus `key.sub=value`
// overrides) loaded into a tree that keeps the line:col of every node, then
// validated against the core schema and, once the plugin is loaded, against
// the plugin's declared parameters.
//
// Usage:
//     char err[MRL_MSG_MAX];
//     MrlConfig* cfg = mrl_config_load("configs/x.yaml", overrides, n_overrides, err);
//     if (!cfg) { fprintf(stderr, "%s\n", err); return 2; }
//     ... load the plugin named cfg->run.plugin ...
//     if (mrl_config_bind_plugin(cfg, &api, err) != MRL_OK) { ...; return 2; }
//     mrl_config_free(cfg);
//
// Every error message is one line: `path:line:col: error: <what> (<context>)`.
// For an override the place is `override 'key=value'` instead of path:line:col.
#ifndef METARL_CONFIG_H
#define METARL_CONFIG_H

#include <stdint.h>

#include "metarl/plugin.h"
#include "metarl/util.h"

#define MRL_NAME_MAX 64
#define MRL_PATH_MAX 1024
#define MRL_MAX_PARAMS 64     // plugin parameters
#define MRL_MAX_TEST_SETS 16  // named held-out sets
#define MRL_MAX_CHOICES 32    // values of a {choice: [...]} distribution

// ---- YAML tree with marks ----

#define MRL_NODE_SCALAR 1
#define MRL_NODE_MAP 2
#define MRL_NODE_SEQ 3

typedef struct MrlNode MrlNode;
struct MrlNode {
    int32_t kind;        // MRL_NODE_*
    int32_t line;        // 1-based line of the node's start
    int32_t col;         // 1-based column of the node's start
    int32_t source;      // 0: the config file; k > 0: the k-th override
    int32_t quoted;      // SCALAR: 1 if written with quotes (always a string)
    char* key;           // key in the parent map, or NULL (seq items, root)
    int32_t key_line;    // 1-based line of the key (maps' children)
    int32_t key_col;     // 1-based column of the key
    char* value;         // SCALAR: text; else NULL
    MrlNode* child;      // MAP/SEQ: first child
    MrlNode* next;       // next sibling
};

// ---- parameter distributions (a task distribution in YAML) ----

#define MRL_DIST_CONST 0   // a: the value
#define MRL_DIST_UNIFORM 1 // {uniform: [a, b]}: real uniform on [a, b)
#define MRL_DIST_INT 2     // {int: [a, b]}: integer uniform on {a, ..., b}
#define MRL_DIST_NORMAL 3  // {normal: [a, b]}: mean a, std b, clipped to the declared range
#define MRL_DIST_CHOICE 4  // {choice: [v0, v1, ...]}: one of the values, uniformly

typedef struct MrlParamDist {
    int32_t dist;                   // MRL_DIST_*
    int32_t n_values;               // CHOICE: number of values
    double a, b;                    // see MRL_DIST_*
    double values[MRL_MAX_CHOICES]; // CHOICE: values (choice params: indices)
    const MrlNode* node;            // where it was written, or NULL for a default
} MrlParamDist;

// ---- task sets ----

#define MRL_SET_TRAIN 0
#define MRL_SET_TEST 1

typedef struct MrlSetSpec {
    char name[MRL_NAME_MAX]; // "train", "test", or the test_sets key
    int32_t kind;            // MRL_SET_TRAIN / MRL_SET_TEST
    int64_t count;           // number of tasks; 0 = endless stream (train only)
    uint64_t seed;           // task-sampling seed of this set
    int32_t episodes;        // episodes per trial for this set (default trial.episodes)
    int32_t trials_per_task; // eval trials per task (default eval.trials_per_task)
    int32_t n_params;        // = plugin's n_params after binding
    MrlParamDist params[MRL_MAX_PARAMS]; // after binding: one per plugin parameter
    const MrlNode* node;     // the set's node in the tree (for messages), or NULL
} MrlSetSpec;

// ---- the validated run configuration ----

typedef struct MrlRunConfig {
    char name[MRL_NAME_MAX];    // run name (default: the config file's stem)
    char plugin[MRL_PATH_MAX];  // env.plugin: a plugin name or a path to a .so
    uint64_t seed;              // seed
    int32_t threads;            // threads (default 1)
    char out_root[MRL_PATH_MAX];// out: results root (default "results")

    MrlSetSpec train;                       // tasks.train
    int32_t n_tests;                        // tasks.test + tasks.test_sets.*
    MrlSetSpec tests[MRL_MAX_TEST_SETS];

    int32_t episodes;           // trial.episodes (default 1)

    int32_t eval_slots;         // eval.slots: parallel trials (default 64)
    int32_t eval_trials;        // eval.trials_per_task (default 1)

    // agent
    char agent_kind[MRL_NAME_MAX]; // agent.kind (default "random")
    char cell[16];              // agent.cell: "gru" or "lstm"
    int32_t hidden;             // agent.hidden: recurrent units
    int32_t embed;              // agent.embed: encoder width (0 = no encoder layer)
    int32_t layer_norm;         // agent.layer_norm: 0/1
    int32_t time_input;         // agent.time_input: 0/1 (rl2: trial clock inputs)
    int32_t input_mlp;          // agent.input_mlp: ReLU layer over the step input (0 = none)
    int32_t head_mlp;           // agent.head_mlp: ReLU layer before the heads (0 = none)
    int32_t head_skip;          // agent.head_skip: 0/1 (rl2: the head layer also reads the step input)
    int32_t separate_value;     // agent.separate_value: 0/1 (rl2: the value head has its own network)
    int32_t critic_oracle;      // agent.critic_oracle: 0/1 (rl2: the value network also reads the
                                // plugin's oracle; training only)
    int32_t prev_obs;           // agent.prev_obs: 0/1 (rl2: previous observation as input)
    double temperature;         // agent.temperature: rl2 evaluation samples from pi^(1/T)

    // trainer (PPO)
    char algo[16];              // train.algo: "ppo"
    int64_t total_steps;        // train.steps: agent steps to train for
    int32_t batch_trials;       // train.batch_trials: trials per iteration
    int32_t minibatches;        // train.minibatches per epoch
    int32_t epochs;             // train.epochs
    int32_t update_split;       // train.update_split: parts of a minibatch in the update
    double gamma;               // train.gamma
    double lambda;              // train.lambda (GAE)
    double clip;                // train.clip
    double vf_coef;             // train.vf_coef
    double ent_coef;            // train.ent_coef
    char ent_schedule[16];      // train.ent_schedule: "constant" or "linear"
    double novelty_bonus;       // train.novelty_bonus: training reward per new observation
    double lr;                  // train.lr
    char lr_schedule[16];       // train.lr_schedule: "constant" or "linear"
    double adam_beta1;          // train.adam_beta1
    double adam_beta2;          // train.adam_beta2
    double adam_eps;            // train.adam_eps
    double max_grad_norm;       // train.max_grad_norm (0 = off)
    double target_kl;           // train.target_kl (0 = off)
    int32_t norm_adv;           // train.norm_adv: 0/1
    int32_t bptt;               // train.bptt: truncated BPTT window in steps (0 = whole trial)
    int32_t checkpoint_every;   // train.checkpoint_every: iterations between checkpoints

    // classical baselines (agents/baselines): hyperparameters, chosen by
    // scripts/tune_baselines.sh on training-distribution tasks
    double epsilon;             // agent.epsilon: exploration rate of epsilon_greedy
    double ucb_c;               // agent.ucb_c: UCB1 exploration coefficient c
    int32_t ots_samples;        // agent.ots_samples: posterior samples per arm of ots
    int32_t opsrl_samples;      // agent.opsrl_samples: sampled MDPs per episode of opsrl
    double gittins_discount;    // agent.gittins_discount: 0 = finite-horizon index
    double beb_beta;            // agent.beb_beta: BEB bonus beta / (1 + n(s, a))
    double ucrl_delta;          // agent.ucrl_delta: UCRL2 confidence parameter delta
    double ucrl_scale;          // agent.ucrl_scale: UCRL2 confidence-width multiplier
    double mdp_prior_mean;      // agent.mdp_prior_mean: prior mean of MDP mean rewards
    double mdp_prior_precision; // agent.mdp_prior_precision: its precision
    double mdp_prior_alpha;     // agent.mdp_prior_alpha: Dirichlet weight of each next state
} MrlRunConfig;

// A loaded configuration: the tree, where it came from, and the validated values.
typedef struct MrlConfig {
    char path[MRL_PATH_MAX];    // the config file as given
    MrlNode* root;              // the YAML tree after overrides
    int32_t n_overrides;
    char** overrides;           // the override strings, for messages
    MrlRunConfig run;           // validated values
    int32_t bound;              // 1 after mrl_config_bind_plugin succeeded
} MrlConfig;

// Loads `path`, applies the overrides (each "dotted.key=value", the value
// parsed as YAML flow text), and validates the core schema. Returns a new
// config or NULL with one line in `err` (MRL_MSG_MAX bytes).
MrlConfig* mrl_config_load(const char* path, const char* const* overrides, int n_overrides,
                           char* err);

// Same as mrl_config_load, from text in memory; `name` is used in messages
// as the path. For tests.
MrlConfig* mrl_config_parse(const char* name, const char* text, const char* const* overrides,
                            int n_overrides, char* err);

// Validates env.params and every set's params against the plugin's parameter
// table and fills run.train/run.tests[*].params (defaults for omitted keys;
// test sets inherit env.params, then apply their own). Checks kinds, ranges,
// choices, MRL_PARAM_SHAPE constancy, unknown keys (with a "did you mean"
// hint). Returns MRL_OK or MRL_EINVAL with one line in `err`.
int mrl_config_bind_plugin(MrlConfig* cfg, const MrlEnvApi* api, char* err);

// Formats "path:line:col" (or "override 'k=v'") for `node` into `out`.
void mrl_config_where(const MrlConfig* cfg, const MrlNode* node, char* out, size_t out_size);

// Writes the effective config (tree after overrides, with defaults of the core
// schema filled in) as YAML text into `buf`.
void mrl_config_emit(const MrlConfig* cfg, MrlBuf* buf);

// Returns a 64-bit hash of the effective config (for checkpoints). Keys at their
// literal default are left out, so a key added to the schema later with a default that
// keeps the old behaviour does not change the hash of an existing config.
uint64_t mrl_config_hash(const MrlConfig* cfg);

// Prints the core schema (every key, kind, default, range, help) as Markdown.
void mrl_config_schema_markdown(MrlBuf* buf);

// Frees the config and its tree. NULL is allowed.
void mrl_config_free(MrlConfig* cfg);

// Returns the candidate of `cands` (n of them) closest to `word` by edit
// distance if it is close enough to be a plausible typo, else NULL.
const char* mrl_did_you_mean(const char* word, const char* const* cands, int n);

#endif // METARL_CONFIG_H
