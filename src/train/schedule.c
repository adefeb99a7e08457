/* train/schedule.c: being written */
