/* What one OpenMP fork and join costs on this machine: an empty parallel
 * region and a two-iteration parallel loop on 2 threads (libomp, as the
 * compiled kernels use), averaged over 20,000 calls, three times.
 *
 *   clang-22 -O2 -fopenmp bench/omp_fork_join.c -o /tmp/omp_fork_join
 *   /tmp/omp_fork_join
 *
 * A kernel of T us on one thread can take no less than T / 2 plus this on
 * two, which bounds the speed-up of small in-cache kernels. */
#include <omp.h>
#include <stdio.h>

static volatile int sink;

int main(void) {
  const int calls = 20000;
  for (int run = 0; run < 3; ++run) {
    double t = omp_get_wtime();
    for (int i = 0; i < calls; ++i) {
#pragma omp parallel num_threads(2)
      sink = omp_get_thread_num();
    }
    double region = (omp_get_wtime() - t) / calls;
    t = omp_get_wtime();
    for (int i = 0; i < calls; ++i) {
#pragma omp parallel for num_threads(2)
      for (int j = 0; j < 2; ++j)
        sink = j;
    }
    double loop = (omp_get_wtime() - t) / calls;
    printf("{\"parallel_region_us\": %.2f, \"parallel_for_us\": %.2f}\n",
           region * 1e6, loop * 1e6);
  }
  return 0;
}
