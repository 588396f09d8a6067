/*
 * size_probe.c - sizeof the per-task structures, read back without running
 * anything: each array's size is the size measured, and test/mcu/size.sh
 * reads it from the object's symbol table (nm -S).
 */
#include "coro_internal.h"

/* Everything a task costs besides the user's frame fields. */
char size_task_header[CORO__ROOT_OFFSET];           /* task + padding to the root frame */
char size_frame_header[sizeof(coro_frame)];         /* the coro_frame in the user's frame */
char size_heap_entry[sizeof(struct coro__timer)];   /* the timer heap slot each task reserves */
/* For reference. */
char size_task_struct[sizeof(struct coro__task)];
char size_future[sizeof(coro_future)];
char size_loop[sizeof(coro_loop)];
char size_event[sizeof(coro_event)];
char size_callback[sizeof(struct coro__cb)];
