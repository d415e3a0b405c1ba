/* Prints what the loader compares, as this build's definitions produce it. */
#include <stdio.h>

#include "core/ver_defs.h"

int main(void)
{
	printf("version: %s\nflags: %s\n", SER_FULL_VERSION, SER_COMPILE_FLAGS);
	return 0;
}
