/*
 * Starling's host functions for WebAssembly apps (import module "starling"). Include this header in a C or C++
 * program built with clang --target=wasm32-wasi; a module may import any of these and nothing else of Starling's.
 */
#ifndef STARLING_H
#define STARLING_H

#define STARLING_IMPORT(name) __attribute__((import_module("starling"), import_name(name)))

/*
 * Non-zero when the worker would like a checkpoint now (the volunteer's checkpoint interval has passed). Cheap: call
 * it between steps of your computation. When it says so, write your state under /checkpoint/ and call
 * starling_checkpoint_done().
 */
STARLING_IMPORT("checkpoint_due") int starling_checkpoint_due(void);

/* Tells the worker that the files under /checkpoint/ now hold a state the task can resume from. */
STARLING_IMPORT("checkpoint_done") void starling_checkpoint_done(void);

/* Progress from 0.0 to 1.0, shown to the researcher and the volunteer. Other values are ignored. */
STARLING_IMPORT("progress") void starling_progress(double fraction_done);

#endif
