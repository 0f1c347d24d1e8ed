/**
 * The Jupyter kernel "java" the notebooks run on, outside the library's data -> model -> train -> report flow: it
 * only carries cells to the library. {@link org.umedsam.kernel.Main} starts {@link org.umedsam.kernel.JavaKernel}
 * (jupyter-jvm-basekernel's messaging) with {@link org.umedsam.kernel.KernelSettings} read from the kernelspec's
 * environment; {@link org.umedsam.kernel.JavaEvaluator} runs each cell in JShell inside the kernel's JVM, keeping
 * values between cells ({@link org.umedsam.kernel.ValueKeepingExecutionControl}) and the class path the
 * {@code %jars}/{@code %classpath} magics extend ({@link org.umedsam.kernel.LineMagics},
 * {@link org.umedsam.kernel.ClasspathEntries}); {@link org.umedsam.kernel.DisplayRenderer} turns a cell's value into
 * display data (pictures for images and XChart charts, HTML for the library's tables).
 *
 * <p>Imports no library package: the library reaches the kernel only on the cells' class path
 * ({@code notebooks/install-kernel}), so the kernel runs whatever version of it a notebook puts there.
 */
package org.umedsam.kernel;
