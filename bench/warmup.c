/* warmup - touch about 1 GiB once before measuring: on a fresh VM the first
 * touch of a page is 3-4x slower, which would otherwise land on whichever
 * program runs first.  Also checks splitmix64's first outputs. */
#include <sys/mman.h>
#include "bench.h"

int main(int argc, char **argv)
{
    size_t size = (size_t)arg_long(argc, argv, 1, 1024) << 20, i;
    unsigned char *p;
    unsigned long long sum = 0;
    if (splitmix64() != 2454886589211414944ull || splitmix64() != 3778200017661327597ull ||
        splitmix64() != 2205171434679333405ull) {
        fprintf(stderr, "warmup: splitmix64 does not give the reference outputs\n");
        return 1;
    }
    p = (unsigned char *)mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    for (i = 0; i < size; i += 4096) p[i] = (unsigned char)i;
    for (i = 0; i < size; i += 4096) sum += p[i];
    munmap(p, size);
    fprintf(stderr, "warm-up: touched %zu MiB (%llu)\n", size >> 20, sum);
    return 0;
}
