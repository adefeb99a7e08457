/* train/checkpoint.c: being written */
