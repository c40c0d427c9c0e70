/* softcheck_kernels() returns a pointer into nowhere: reading the list faults. */
#include <stdint.h>

#include "softcheck/kernel_abi.h"

SOFTCHECK_EXPORT const struct softcheck_kernel_list* softcheck_kernels(void) {
  return (const struct softcheck_kernel_list*)(uintptr_t)0x10;
}
