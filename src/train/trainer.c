/* train/trainer.c: being written */
