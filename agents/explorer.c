// explorer.c — the explorer agent for the maze plugin: a no-learning baseline
// that maps the maze in episode 1 by systematic search with perfect memory
// and walks the shortest path it knows in episode 2 and later episodes. With
// the random agent and the oracle's shortest path it brackets the learned
// rows of the SNAIL maze table (docs/maze.md).
//
// What it may read (plugins/maze/maze.h, through MrlStepBatch.env_states):
// - its own pose (lattice position and heading): the dead reckoning a
//   navigating agent does from its own actions;
// - the maze's size R and the layout every maze shares (the frame and the
//   pillars at even/even cells are walls, rooms at odd/odd cells are open);
// - what it sees from the cell it stands in: the 8 surrounding cells, and,
//   standing in a room, the next room through each open passage (whether it
//   is the goal). Nothing else of the task is read; it never calls the oracle.
// Its memory (the map, visited cells) lives for the whole trial and is
// cleared at the next trial start.
//
// Episode 1: go to the nearest unvisited open room (breadth-first over the
// known cells), look around, repeat; once the goal has been seen, go and
// touch it. Every move is planned by a breadth-first search over the env's
// exact pose graph (maze_forward of maze.h) on the believed map, unknown
// cells counted as walls. Episode 2+: the same search from the start pose to
// the goal: the shortest path under the real kinematics whenever the map
// covers the cells that path touches, which tests/test_explorer.c checks
// against the oracle on samples of the held-out mazes.
//
// Memory: per slot a map and a plan; one breadth-first scratch shared by the
// slots (act runs the slots one after another), allocated on the first act
// that needs it (its size depends on the maze's lattice, which `begin` does
// not see) and grown only if a larger maze arrives.
#include <stdlib.h>
#include <string.h>

#include "../plugins/maze/maze.h"
#include "metarl/agent.h"
#include "metarl/util.h"

#define MAP_UNKNOWN 255
#define PLAN_MAX 32768
#define TARGET_NONE (-1)
#define TARGET_GOAL (-2)
#define CELLS (MAZE_MAX_SIZE * MAZE_MAX_SIZE)

typedef struct Slot {
    int32_t size;           // grid side of the trial's maze; 0 before the first trial
    int32_t goal_known;     // 1 once the goal block has been seen
    int32_t target;         // cell index being walked to, TARGET_GOAL or TARGET_NONE
    int32_t plan_len;       // actions in plan
    int32_t plan_pos;       // next action to take
    int32_t exp_px, exp_py; // pose expected before plan[plan_pos]
    int32_t exp_h;
    uint8_t map[CELLS];     // what it believes: MAZE_FREE / MAZE_WALL / MAZE_GOAL / MAP_UNKNOWN
    uint8_t grid[CELLS];    // planning grid: the map with unknown cells as walls
    uint8_t visited[CELLS]; // cells its centre has been in
    uint8_t plan[PLAN_MAX]; // (PLAN_MAX) planned actions
} Slot;

typedef struct Explorer {
    int32_t n_slots;
    Slot* slots;      // (N)
    size_t cap;       // poses the scratch holds
    uint32_t gen;     // stamp of the current search
    uint32_t* stamp;  // (cap) search that reached the pose
    uint32_t* parent; // (cap) previous pose on the path
    uint8_t* act;     // (cap) action that reached the pose
    uint32_t* queue;  // (cap)
} Explorer;

// ---- memory of a trial ----

static void slot_begin_trial(Slot* sl, const MazeTask* task) {
    int32_t size = task->size;
    sl->size = size;
    sl->goal_known = 0;
    sl->target = TARGET_NONE;
    sl->plan_len = sl->plan_pos = 0;
    memset(sl->map, MAP_UNKNOWN, sizeof sl->map);
    memset(sl->grid, MAZE_WALL, sizeof sl->grid);
    memset(sl->visited, 0, sizeof sl->visited);
    // the layout all mazes share: frame and pillars are walls
    for (int32_t y = 0; y < size; y++) {
        for (int32_t x = 0; x < size; x++) {
            if (x == 0 || y == 0 || x == size - 1 || y == size - 1 || (x % 2 == 0 && y % 2 == 0)) {
                sl->map[y * size + x] = MAZE_WALL;
            }
        }
    }
}

// records the true type of cell (x, y)
static void learn(Slot* sl, const MazeTask* task, int32_t x, int32_t y) {
    if (x < 0 || y < 0 || x >= sl->size || y >= sl->size) {
        return;
    }
    int32_t c = y * sl->size + x;
    if (sl->map[c] != MAP_UNKNOWN) {
        return;
    }
    int t = task->grid[c];
    sl->map[c] = (uint8_t)t;
    sl->grid[c] = (uint8_t)t;
    if (t == MAZE_GOAL) {
        sl->goal_known = 1;
    }
}

// looks around from cell (cx, cy)
static void observe(Slot* sl, const MazeTask* task, int32_t cx, int32_t cy) {
    for (int32_t dy = -1; dy <= 1; dy++) {
        for (int32_t dx = -1; dx <= 1; dx++) {
            learn(sl, task, cx + dx, cy + dy);
        }
    }
    if (cx % 2 == 1 && cy % 2 == 1) { // a room: through each open passage to the next room
        static const int32_t nb[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
        for (int n = 0; n < 4; n++) {
            int32_t ex = cx + nb[n][0], ey = cy + nb[n][1];
            if (sl->map[ey * sl->size + ex] == MAZE_FREE) {
                learn(sl, task, cx + 2 * nb[n][0], cy + 2 * nb[n][1]);
            }
        }
    }
    sl->visited[cy * sl->size + cx] = 1;
}

// the nearest unvisited open room over known open cells, or TARGET_NONE
static int32_t nearest_frontier(const Slot* sl, int32_t cx, int32_t cy) {
    int32_t size = sl->size;
    uint8_t seen[CELLS];
    int32_t queue[CELLS];
    memset(seen, 0, (size_t)size * (size_t)size);
    int32_t head = 0, tail = 0;
    queue[tail++] = cy * size + cx;
    seen[cy * size + cx] = 1;
    const int32_t nb[4] = {1, size, -1, -size};
    while (head < tail) {
        int32_t c = queue[head++];
        int32_t x = c % size, y = c / size;
        if (x % 2 == 1 && y % 2 == 1 && !sl->visited[c]) {
            return c;
        }
        for (int n = 0; n < 4; n++) {
            int32_t d = c + nb[n];
            if (!seen[d] && sl->map[d] == MAZE_FREE) {
                seen[d] = 1;
                queue[tail++] = d;
            }
        }
    }
    return TARGET_NONE;
}

// ---- planning: breadth-first search over the pose graph ----

static int scratch_reserve(Explorer* ex, size_t n, char* err) {
    if (n <= ex->cap) {
        return MRL_OK;
    }
    free(ex->stamp);
    free(ex->parent);
    free(ex->act);
    free(ex->queue);
    ex->stamp = calloc(n, sizeof *ex->stamp);
    ex->parent = malloc(n * sizeof *ex->parent);
    ex->act = malloc(n);
    ex->queue = malloc(n * sizeof *ex->queue);
    ex->gen = 0;
    if (!ex->stamp || !ex->parent || !ex->act || !ex->queue) {
        ex->cap = 0;
        return mrl_fail(err, MRL_ENOMEM, "error: agent 'explorer': out of memory (%zu poses)", n);
    }
    ex->cap = n;
    return MRL_OK;
}

// Plans the fewest actions from pose (px, py, h) to `target` (a cell to stand
// in, or TARGET_GOAL: touch the goal) on the slot's planning grid. Fills
// sl->plan; returns 1 if a path was found, 0 if not, or a negative error.
static int plan_path(Explorer* ex, Slot* sl, const MazeKin* kin, int32_t px, int32_t py, int32_t h,
                     int32_t target, char* err) {
    int32_t size = sl->size, q = kin->q, nh = kin->n_head;
    int32_t side = size * q;
    size_t n = (size_t)side * (size_t)side * (size_t)nh;
    int rc = scratch_reserve(ex, n, err);
    if (rc != MRL_OK) {
        return rc;
    }
    if (++ex->gen == 0) { // stamps wrapped: clear them once
        memset(ex->stamp, 0, ex->cap * sizeof *ex->stamp);
        ex->gen = 1;
    }
    uint32_t gen = ex->gen;
    uint32_t start = (uint32_t)(((size_t)py * (size_t)side + (size_t)px) * (size_t)nh + (size_t)h);
    size_t head = 0, tail = 0;
    ex->stamp[start] = gen;
    ex->queue[tail++] = start;
    int64_t end = -1;
    int touch = 0; // the path ends with a forward move that touches the goal
    static const int order[3] = {MAZE_FORWARD, MAZE_LEFT, MAZE_RIGHT};
    while (head < tail && end < 0) {
        uint32_t p = ex->queue[head++];
        int32_t ph = (int32_t)(p % (uint32_t)nh);
        uint32_t pos = p / (uint32_t)nh;
        int32_t x = (int32_t)(pos % (uint32_t)side), y = (int32_t)(pos / (uint32_t)side);
        for (int k = 0; k < 3; k++) {
            int a = order[k];
            int32_t nx = x, ny = y, nhd = ph;
            if (a == MAZE_FORWARD) {
                int out = maze_forward(sl->grid, size, kin, x, y, ph, &nx, &ny);
                if (out == MAZE_REACHED) {
                    if (target == TARGET_GOAL) {
                        end = p;
                        touch = 1;
                        break;
                    }
                    continue;
                }
                if (out == MAZE_BLOCKED) {
                    continue;
                }
            } else {
                nhd = maze_turn(kin, ph, a);
            }
            uint32_t np =
                (uint32_t)(((size_t)ny * (size_t)side + (size_t)nx) * (size_t)nh + (size_t)nhd);
            if (ex->stamp[np] == gen) {
                continue;
            }
            ex->stamp[np] = gen;
            ex->parent[np] = p;
            ex->act[np] = (uint8_t)a;
            if (target >= 0 && maze_div_q(kin, ny) * size + maze_div_q(kin, nx) == target) {
                end = np;
                break;
            }
            ex->queue[tail++] = np;
        }
    }
    if (end < 0) {
        return 0;
    }
    // the path backwards from `end`; keep its first PLAN_MAX actions
    int64_t len = touch;
    for (uint32_t p = (uint32_t)end; p != start; p = ex->parent[p]) {
        len++;
    }
    int64_t i = len - 1;
    if (touch) {
        if (i < PLAN_MAX) {
            sl->plan[i] = MAZE_FORWARD;
        }
        i--;
    }
    for (uint32_t p = (uint32_t)end; p != start; p = ex->parent[p], i--) {
        if (i < PLAN_MAX) {
            sl->plan[i] = ex->act[p];
        }
    }
    sl->plan_len = (int32_t)(len < PLAN_MAX ? len : PLAN_MAX);
    sl->plan_pos = 0;
    return 1;
}

// ---- the agent ----

static int explorer_begin(MrlAgent* agent, int32_t n_slots, const MrlEnvInfo* info, char* err) {
    (void)info;
    Explorer* ex = (Explorer*)agent->self;
    if (ex->n_slots == n_slots && ex->slots) {
        return MRL_OK;
    }
    free(ex->slots);
    ex->slots = calloc((size_t)n_slots, sizeof *ex->slots);
    if (!ex->slots) {
        ex->n_slots = 0;
        return mrl_fail(err, MRL_ENOMEM, "error: agent 'explorer': out of memory");
    }
    ex->n_slots = n_slots;
    return MRL_OK;
}

static int explorer_act(MrlAgent* agent, float* action, const MrlStepBatch* batch, MrlRng* rngs,
                        char* err) {
    (void)rngs; // deterministic
    Explorer* ex = (Explorer*)agent->self;
    if (!batch->env_states || batch->n_slots > ex->n_slots) {
        return mrl_fail(err, MRL_EINVAL, "error: agent 'explorer': act before begin");
    }
    for (int32_t s = 0; s < batch->n_slots; s++) {
        if (!(batch->flags[s] & MRL_SLOT_ACTIVE)) {
            continue;
        }
        const MazeState* st = (const MazeState*)batch->env_states[s];
        if (!batch->api || strcmp(batch->api->name, "maze") != 0 || !maze_state_check(st)) {
            return mrl_fail(err, MRL_EINVAL,
                            "error: agent 'explorer' works only with the maze plugin (got %s)",
                            batch->api ? batch->api->name : "?");
        }
        Slot* sl = &ex->slots[s];
        const MazeTask* task = st->task;
        const MazeKin* kin = &st->kin;
        if ((batch->flags[s] & MRL_SLOT_TRIAL_START) || sl->size != task->size) {
            slot_begin_trial(sl, task);
        }
        if (batch->flags[s] & MRL_SLOT_EPISODE_START) {
            sl->plan_len = sl->plan_pos = 0;
            sl->target = TARGET_NONE;
        }
        int32_t px = st->px, py = st->py, h = st->h;
        int32_t cx = maze_div_q(kin, px), cy = maze_div_q(kin, py);
        observe(sl, task, cx, cy);

        int replan = sl->plan_pos >= sl->plan_len || px != sl->exp_px || py != sl->exp_py ||
                     h != sl->exp_h || (sl->goal_known && sl->target != TARGET_GOAL);
        int a = MAZE_LEFT; // when there is nothing to do: look around
        if (replan) {
            sl->target = sl->goal_known ? TARGET_GOAL : nearest_frontier(sl, cx, cy);
            sl->plan_len = sl->plan_pos = 0;
            if (sl->target != TARGET_NONE) {
                int rc = plan_path(ex, sl, kin, px, py, h, sl->target, err);
                if (rc < 0) {
                    return rc;
                }
            }
        }
        if (sl->plan_pos < sl->plan_len) {
            a = sl->plan[sl->plan_pos++];
        }
        // where this action should leave it, on the believed map
        sl->exp_px = px;
        sl->exp_py = py;
        sl->exp_h = h;
        if (a == MAZE_FORWARD) {
            maze_forward(sl->grid, sl->size, kin, px, py, h, &sl->exp_px, &sl->exp_py);
        } else {
            sl->exp_h = maze_turn(kin, h, a);
        }
        action[(size_t)s * (size_t)batch->act_floats] = (float)a;
    }
    return MRL_OK;
}

static void explorer_free(MrlAgent* agent) {
    Explorer* ex = (Explorer*)agent->self;
    if (ex) {
        free(ex->slots);
        free(ex->stamp);
        free(ex->parent);
        free(ex->act);
        free(ex->queue);
        free(ex);
    }
    free(agent);
}

MrlAgent* mrl_agent_explorer_new(char* err) {
    MrlAgent* a = calloc(1, sizeof *a);
    Explorer* ex = calloc(1, sizeof *ex);
    if (!a || !ex) {
        free(a);
        free(ex);
        mrl_fail(err, MRL_ENOMEM, "error: out of memory");
        return NULL;
    }
    a->name = "explorer";
    a->self = ex;
    a->begin = explorer_begin;
    a->act = explorer_act;
    a->free = explorer_free;
    return a;
}
