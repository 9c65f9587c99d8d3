// maze.h — the maze plugin's data layout and kinematics, shared by the plugin
// (plugins/maze/*.c) and by the agents that read a maze state directly
// (agents/explorer.c) and by the maze tests (tests/test_maze.c).
//
// Nothing here is part of the public plugin ABI (metarl/plugin.h). An agent
// that includes this header must first check that the env is this plugin:
// `maze_state_check(state)` (magic and layout version).
//
// Coordinates: the maze is a (2R+1)×(2R+1) grid of cells, x to the right
// (east), y down (south), cell (x, y) at grid[y * size + x]. Rooms are the
// cells with both coordinates odd; cells with both even are always walls
// ("pillars"); the others are passages or walls. A position is a pair of
// integers on a lattice of `q` units per cell (cell (x, y) spans lattice units
// [x*q, (x+1)*q)); heading h in {0..n_head-1} is the angle h*360/n_head
// degrees measured from east towards south (clockwise on a top-down picture),
// so "turn left" decreases h and "turn right" increases it.
//
// The body is an axis-aligned square of half-width `rr` lattice units
// (Doom's actors are axis-aligned boxes too). It overlaps a cell when the open
// interiors intersect; touching a wall face exactly is allowed.
#ifndef METARL_MAZE_H
#define METARL_MAZE_H

#include <stdint.h>

// ---- limits ----

#define MAZE_MAX_ROOMS 15      // largest R (grid 31×31)
#define MAZE_MAX_SIZE 31       // 2 * MAZE_MAX_ROOMS + 1
#define MAZE_MAX_HEADINGS 72   // turn >= 5 degrees
#define MAZE_MAGIC 0x4d415a45u // "MAZE"
#define MAZE_LAYOUT_VERSION 1u

// ---- cell types (MazeTask.grid) ----

#define MAZE_FREE 0
#define MAZE_WALL 1
#define MAZE_GOAL 2

// ---- actions ----

#define MAZE_LEFT 0
#define MAZE_RIGHT 1
#define MAZE_FORWARD 2
#define MAZE_N_ACTIONS 3

// ---- outcomes of a forward move ----

#define MAZE_MOVED 0   // moved by the full displacement
#define MAZE_SLID 1    // full move blocked; moved along one axis (counts as a bump)
#define MAZE_BLOCKED 2 // no move (a bump)
#define MAZE_REACHED 3 // the body touched the goal block: success

// ---- observation modes, renderers, kinematic modes (parameter indices) ----

#define MAZE_OBS_STRIP 0
#define MAZE_OBS_PIXELS 1
#define MAZE_OBS_LOCAL 2

#define MAZE_RENDER_FAST 0
#define MAZE_RENDER_REFERENCE 1

#define MAZE_MODE_CONTINUOUS 0
#define MAZE_MODE_GRID 1

// Offset added to every column's camera-plane coordinate (in [-1, 1] units,
// 1/60 of a column at 32 columns). Positions are lattice points and, facing
// along an axis, column slopes are rational, so without it many rays would
// pass exactly through grid corners, where "which cell was hit" is a tie.
#define MAZE_CAM_JITTER 1e-3

// Floats after the (L, L, 2) patch of the `local` observation.
#define MAZE_LOCAL_TAIL 4

// ---- parameter table order (the plugin's MrlParamDef array) ----

enum {
    MAZE_P_ROOMS,
    MAZE_P_MAX_ROOMS,
    MAZE_P_HORIZON,
    MAZE_P_MODE,
    MAZE_P_STEP,
    MAZE_P_TURN,
    MAZE_P_RADIUS,
    MAZE_P_LATTICE,
    MAZE_P_GOAL_REWARD,
    MAZE_P_WALL_PENALTY,
    MAZE_P_STEP_PENALTY,
    MAZE_P_OBS,
    MAZE_P_WIDTH,
    MAZE_P_HEIGHT,
    MAZE_P_STRIP_WIDTH,
    MAZE_P_FOV,
    MAZE_P_LOCAL_SIZE,
    MAZE_P_ORACLE,
    MAZE_P_RENDERER,
    MAZE_N_PARAMS
};

// ---- task: one maze with its start, goal and per-task parameters ----

// A task value (task_bytes = sizeof(MazeTask) + (2*max_rooms+1)^2, rounded up
// to a multiple of 8 so that tasks stored back to back stay aligned). The grid
// is stored with stride `size` = 2*rooms+1 (bytes past size*size are zero),
// so the same maze has the same bytes whatever max_rooms is.
typedef struct MazeTask {
    int32_t rooms;   // R
    int32_t size;    // 2R+1
    int32_t horizon; // steps per episode before truncation
    int32_t heading; // start heading index (in units of the turn angle)
    int32_t start_x; // start cell (a room)
    int32_t start_y;
    int32_t goal_x; // goal cell (a room, != start; MAZE_GOAL in the grid)
    int32_t goal_y;
    double goal_reward;  // reward for touching the goal (added to the step penalty)
    double wall_penalty; // reward added by a bump
    double step_penalty; // reward of every step
    uint8_t grid[];      // (size, size) MAZE_FREE / MAZE_WALL / MAZE_GOAL
} MazeTask;

// ---- kinematics ----

typedef struct MazeKin {
    int32_t mode;   // MAZE_MODE_*
    int32_t q;      // lattice units per cell (even)
    int32_t n_head; // number of headings
    int32_t rr;     // body half-width in lattice units
    uint32_t q_mul; // ceil(2^20 / q): x / q == (x * q_mul) >> 20 for 0 <= x < 2^11
    int32_t pad;
    int32_t d[MAZE_MAX_HEADINGS][2]; // forward displacement per heading (lattice units)
} MazeKin;

// Sets kin->q and the reciprocal used by maze_div_q.
static inline void maze_kin_set_q(MazeKin* kin, int32_t q) {
    kin->q = q;
    kin->q_mul = (uint32_t)(((1u << 20) + (uint32_t)q - 1) / (uint32_t)q);
}

// Returns x / q for 0 <= x < 2048 (every lattice coordinate: the grid is at
// most 31 cells of at most 64 units) without a division instruction. Exact:
// x * (2^20/q + e) / 2^20 with 0 <= e < 1 is x/q plus less than 2^11/2^20.
static inline int32_t maze_div_q(const MazeKin* kin, int32_t x) {
    return (int32_t)(((uint32_t)x * kin->q_mul) >> 20);
}

// Returns a bit mask of the cell types the body centred at (px, py) overlaps:
// bit MAZE_WALL (2) and bit MAZE_GOAL (4); 0 when it overlaps only free cells.
static inline int maze_box_hits(const uint8_t* grid, int32_t size, const MazeKin* kin, int32_t px,
                                int32_t py) {
    int32_t rr = kin->rr;
    int32_t x0, x1, y0, y1;
    if (rr == 0) { // a point body (grid mode): the cell containing it
        x0 = x1 = maze_div_q(kin, px);
        y0 = y1 = maze_div_q(kin, py);
    } else {
        x0 = maze_div_q(kin, px - rr);
        x1 = maze_div_q(kin, px + rr - 1);
        y0 = maze_div_q(kin, py - rr);
        y1 = maze_div_q(kin, py + rr - 1);
    }
    int m = 0;
    for (int32_t y = y0; y <= y1; y++) {
        for (int32_t x = x0; x <= x1; x++) {
            m |= 1 << grid[y * size + x];
        }
    }
    return m & ~1;
}

// Applies a forward move from (px, py) with heading h: the full displacement
// if the body stays clear; otherwise (a bump) the move along x alone, then
// along y alone ("sliding" along the wall); otherwise no move. If any tried
// body position touches the goal, returns MAZE_REACHED and leaves the
// position unchanged. Writes the new position and returns MAZE_*.
static inline int maze_forward(const uint8_t* grid, int32_t size, const MazeKin* kin, int32_t px,
                               int32_t py, int32_t h, int32_t* nx, int32_t* ny) {
    int32_t dx = kin->d[h][0], dy = kin->d[h][1];
    *nx = px;
    *ny = py;
    int m = maze_box_hits(grid, size, kin, px + dx, py + dy);
    if (m & (1 << MAZE_GOAL)) {
        return MAZE_REACHED;
    }
    if (m == 0) {
        *nx = px + dx;
        *ny = py + dy;
        return MAZE_MOVED;
    }
    if (dx != 0 && dy != 0) {
        m = maze_box_hits(grid, size, kin, px + dx, py);
        if (m & (1 << MAZE_GOAL)) {
            return MAZE_REACHED;
        }
        if (m == 0) {
            *nx = px + dx;
            return MAZE_SLID;
        }
        m = maze_box_hits(grid, size, kin, px, py + dy);
        if (m & (1 << MAZE_GOAL)) {
            return MAZE_REACHED;
        }
        if (m == 0) {
            *ny = py + dy;
            return MAZE_SLID;
        }
    }
    return MAZE_BLOCKED;
}

// Returns the heading after `action` (MAZE_LEFT / MAZE_RIGHT) from h.
static inline int32_t maze_turn(const MazeKin* kin, int32_t h, int action) {
    return action == MAZE_LEFT ? (h + kin->n_head - 1) % kin->n_head : (h + 1) % kin->n_head;
}

// ---- the instance state ----

// The first part of every maze state block; the plugin's private arrays
// (ray tables, oracle tables) follow it at the offsets recorded here.
typedef struct MazeState {
    uint32_t magic;   // MAZE_MAGIC
    uint32_t version; // MAZE_LAYOUT_VERSION
    MazeKin kin;

    // observation configuration (from the SHAPE parameters)
    int32_t obs_mode;    // MAZE_OBS_*
    int32_t renderer;    // MAZE_RENDER_*
    int32_t width;       // pixels: image width
    int32_t height;      // pixels: image height
    int32_t strip_width; // strip: columns
    int32_t local_size;  // local: patch side L (odd)
    int32_t oracle;      // 1 if the oracle tables are kept
    int32_t max_rooms;   // sizes the task and the oracle tables
    double fov;          // horizontal field of view, radians
    int32_t obs_floats;  // floats per observation
    int32_t n_cols;      // columns of the observation raycast (strip_width or width)
    float focal;         // pixels: focal length in pixels
    float pad0;
    float local_rot[MAZE_MAX_HEADINGS][2]; // local: cos, sin of heading minus nearest axis

    // offsets (bytes from the start of the state) of the private arrays
    uint64_t off_rays;    // (n_head, n_cols) MazeRay
    uint64_t off_hits;    // (n_cols) MazeHit scratch of the last raycast
    uint64_t off_bg;      // pixels: (height, width, 3) float ceiling/floor background
    uint64_t off_cache;   // strip: (n_head, obs_floats) float rows seen from this position
    uint64_t off_cellidx; // (MAZE_MAX_SIZE^2) int32 compact free-cell index (oracle)
    uint64_t off_dist;    // (n_pose_max) uint16 oracle distances
    uint64_t off_queue;   // (n_pose_max) uint32 BFS queue
    uint64_t n_pose_max;  // poses the oracle tables hold
    uint64_t state_bytes; // total size of the block

    // the episode
    const MazeTask* task; // borrowed from the host until the next reset
    int32_t px, py;       // position, lattice units
    int32_t h;            // heading index
    int32_t t;            // steps taken in this episode
    int32_t reset_done;   // 1 after a successful reset
    int32_t ended;        // 1 once a step terminated or truncated the episode
    int32_t success;      // 1 if the episode ended at the goal
    int32_t last_outcome; // MAZE_* of the last forward move, -1 after a turn or reset

    // strip cache: the observation depends only on (task, position, heading),
    // so rows seen from the current position are kept per heading; pose_gen
    // changes whenever the task or the position does
    uint32_t pose_gen;
    uint32_t cache_gen[MAZE_MAX_HEADINGS]; // row h is valid when equal to pose_gen

    // oracle cache: the tables belong to the task with this fingerprint
    int32_t oracle_ready;
    int32_t oracle_pad;
    uint64_t oracle_fp;
    uint64_t n_pose; // poses indexed for the current task
} MazeState;

// Returns 1 if `state` looks like a maze state of this layout, else 0.
static inline int maze_state_check(const void* state) {
    const MazeState* st = (const MazeState*)state;
    return st && st->magic == MAZE_MAGIC && st->version == MAZE_LAYOUT_VERSION;
}

// Returns the grid cell type at (x, y) of the task, MAZE_WALL outside.
static inline int maze_cell(const MazeTask* task, int32_t x, int32_t y) {
    if (x < 0 || y < 0 || x >= task->size || y >= task->size) {
        return MAZE_WALL;
    }
    return task->grid[y * task->size + x];
}

#endif // METARL_MAZE_H
