// maze_internal.h — declarations private to the maze plugin's .c files:
// the raycasters (raycast.c), the oracle (oracle.c) and the colour palette.
// Agents and tests use maze.h only.
#ifndef METARL_MAZE_INTERNAL_H
#define METARL_MAZE_INTERNAL_H

#include <stdint.h>

#include "maze.h"

// Pixel colours (8-bit RGB); an observation value is c / 127.5 - 1.
#define MAZE_RGB_CEILING 70, 70, 80
#define MAZE_RGB_FLOOR 110, 95, 75
#define MAZE_RGB_WALL_X 175, 175, 190 // wall face perpendicular to x (east/west facing)
#define MAZE_RGB_WALL_Y 125, 125, 140 // wall face perpendicular to y (north/south facing)
#define MAZE_RGB_GOAL_X 235, 40, 40
#define MAZE_RGB_GOAL_Y 185, 25, 25

// One precomputed camera ray for the DDA. The ray's direction is
// dir + plane * camera_x (its component along the view direction is 1, so the
// DDA's distance is the perpendicular one); what is stored is what the DDA
// needs without branching on the direction's signs: the per-cell distance
// increments |1/dx|, |1/dy|, the first boundary distance as an affine
// function of the position inside the cell (sdx = sx0 + sx1 * fx), and the
// cell steps (+-1 in x, +-1 rows in y).
typedef struct MazeRay {
    float ddx, ddy;
    float sx0, sx1;
    float sy0, sy1;
    int32_t step_x; // +1 or -1
    int32_t step_y; // +1 or -1 (rows)
} MazeRay;

// What one column's ray hit.
typedef struct MazeHit {
    float perp;   // perpendicular distance to the hit face, in cells
    int32_t type; // MAZE_WALL or MAZE_GOAL
    int32_t side; // 0: face perpendicular to x; 1: perpendicular to y
    int32_t cell; // y * size + x of the hit cell
} MazeHit;

// ---- raycast.c ----

// Fills rays (n_head, n_cols) for a horizontal field of view `fov` (radians).
void maze_rays_init(MazeRay* rays, int32_t n_head, int32_t n_cols, double fov);

// Casts the n_cols precomputed rays `rays` (n_cols) from the lattice position
// (px, py) (kin->q units per cell) through the task's grid (float DDA).
void maze_cast_fast(MazeHit* hits, const MazeTask* task, const MazeRay* rays, int32_t n_cols,
                    const MazeKin* kin, int32_t px, int32_t py);

// The same DDA writing the strip observation (n_cols, 3) directly.
void maze_strip_fast(float* obs, const MazeTask* task, const MazeRay* rays, int32_t n_cols,
                     const MazeKin* kin, int32_t px, int32_t py);

// Reference raycaster: for each of n_cols columns, builds the ray from the
// angle `theta` and `fov` in double precision and intersects it with every
// non-free cell of the grid (slab test), keeping the nearest hit.
void maze_cast_reference(MazeHit* hits, const MazeTask* task, double x, double y, double theta,
                         double fov, int32_t n_cols);

// strip observation (n_cols, 3): goal flag, face side, 1 / (1 + distance).
void maze_strip_write(float* obs, const MazeHit* hits, int32_t n_cols);

// Fills the ceiling/floor background image (H, W, 3) in [-1, 1].
void maze_background(float* bg, int32_t width, int32_t height);

// pixels observation (H, W, 3): copies the background and draws each
// column's wall span.
void maze_pixels_fast(float* obs, const MazeHit* hits, const float* bg, int32_t width,
                      int32_t height, float focal);

// Focal length in pixels of an image `width` wide with field of view `fov`.
double maze_focal(int32_t width, double fov);

// Reference pixels: decides every pixel on its own.
void maze_pixels_reference(float* obs, const MazeHit* hits, int32_t width, int32_t height,
                           double fov);

// ---- oracle.c ----

// Builds the distance-to-success table for the current task of `st` (reverse
// BFS over the pose graph). Returns MRL_OK or MRL_EPLUGIN if the tables are
// too small (cannot happen for a valid task).
int maze_oracle_build(MazeState* st);

// Returns the fewest steps from pose (px, py, h) to success (-1 if
// unreachable) and writes the first action of such a path into *action.
int64_t maze_oracle_query(const MazeState* st, int32_t px, int32_t py, int32_t h, int* action);

// Fingerprint of a task's content (the task_fingerprint callback and the
// oracle cache key).
uint64_t maze_task_hash(const MazeTask* task, int32_t n_head);

#endif // METARL_MAZE_INTERNAL_H
