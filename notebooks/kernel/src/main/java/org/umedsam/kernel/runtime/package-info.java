/**
 * What a notebook cell calls, statically imported into every cell with IJava's names: {@code display},
 * {@code updateDisplay} and {@code render} ({@link org.umedsam.kernel.runtime.Display}). The running kernel installs
 * the {@link org.umedsam.kernel.runtime.Display.Sink} they write to; cells see only this package of the kernel.
 */
package org.umedsam.kernel.runtime;
