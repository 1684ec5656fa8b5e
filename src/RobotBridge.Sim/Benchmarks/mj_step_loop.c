// Baseline for `robotbridge sim bench`: a plain C loop of mj_step over an MJCF file, starting from
// its first keyframe with the keyframe's controls, timed with CLOCK_MONOTONIC.
// Usage: mj_step_loop <scene.xml> <steps>   → prints "<steps> <seconds>"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <mujoco/mujoco.h>

int main(int argc, char** argv)
{
    if (argc != 3) { fprintf(stderr, "usage: %s scene.xml steps\n", argv[0]); return 2; }
    char error[1000] = "";
    mjModel* m = mj_loadXML(argv[1], NULL, error, sizeof error);
    if (!m) { fprintf(stderr, "load failed: %s\n", error); return 1; }
    mjData* d = mj_makeData(m);
    if (m->nkey > 0) mj_resetDataKeyframe(m, d, 0);
    long steps = atol(argv[2]);
    for (int i = 0; i < 500; i++) mj_step(m, d);  // warm-up, as the twin gets
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < steps; i++) mj_step(m, d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    printf("%ld %.9f\n", steps, seconds);
    mj_deleteData(d);
    mj_deleteModel(m);
    return 0;
}
