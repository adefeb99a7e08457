/* data/fashion.c: being written */
