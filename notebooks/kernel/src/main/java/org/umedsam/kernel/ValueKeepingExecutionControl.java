package org.umedsam.kernel;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;

/**
 * Runs JShell snippets inside the kernel's own JVM and keeps what the last snippet produced as a
 * real object: its value (so a {@code BufferedImage} or a chart can be rendered, not just its
 * {@code toString}) or the throwable it threw (so the cell reports the real exception class,
 * not JShell's {@code EvalException}).
 *
 * <p>Snippet code runs with its own class loader as the thread's context class loader, so
 * libraries that look services up through it (ND4J backends, ServiceLoader) find the jars added
 * with {@code IJAVA_CLASSPATH} or {@code %jars}.
 */
public class ValueKeepingExecutionControl extends DirectExecutionControl {
    private volatile Object lastValue;
    private volatile Throwable lastThrowable;
    private final Object runningLock = new Object();
    private Thread running;
    private volatile boolean stopRequested;

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        lastValue = null;
        lastThrowable = null;
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(doitMethod.getDeclaringClass().getClassLoader());
        synchronized (runningLock) {
            stopRequested = false;
            running = thread;
        }
        try {
            Object value = doitMethod.invoke(null);
            lastValue = value;
            // JShell only shows this string; avoid toString(), which can be slow (large arrays) or throw.
            return value == null ? "null" : value.getClass().getName();
        } catch (InvocationTargetException e) {
            lastThrowable = e.getCause();
            throw e;
        } finally {
            synchronized (runningLock) {
                running = null;
            }
            if (stopRequested) {
                Thread.interrupted(); // clear the flag stop() set, so the next cell starts clean
            }
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * Stops the running snippet (the notebook's interrupt button): interrupts its thread, then stops
     * it with {@code Thread.stop} where the JVM still allows that (Java 17-19, as JShell's own local
     * engine does); on later JVMs only code that checks the interrupt flag stops.
     */
    @Override
    @SuppressWarnings({"removal", "deprecation"})
    public void stop() {
        synchronized (runningLock) {
            if (running == null) {
                return;
            }
            stopRequested = true;
            running.interrupt();
            try {
                running.stop();
            } catch (UnsupportedOperationException notOnThisJvm) {
                // Java 20+: the interrupt is all we can do
            }
        }
    }

    /** True if the last snippet ended because {@link #stop()} was called. */
    public boolean wasStopped() {
        return stopRequested;
    }

    @Override
    public void redefine(ExecutionControl.ClassBytecodes[] classes)
            throws ExecutionControl.ClassInstallException, ExecutionControl.NotImplementedException,
            ExecutionControl.EngineTerminationException {
        Instrumentation inst = RedefiningAgent.instrumentation();
        if (inst == null || !inst.isRedefineClassesSupported()) {
            super.redefine(classes); // not implemented: JShell loads fresh classes instead
            return;
        }
        try {
            ClassDefinition[] definitions = new ClassDefinition[classes.length];
            for (int i = 0; i < classes.length; i++) {
                definitions[i] = new ClassDefinition(findClass(classes[i].name()), classes[i].bytecodes());
            }
            inst.redefineClasses(definitions);
        } catch (ClassNotFoundException | UnsupportedOperationException | ClassFormatError
                 | java.lang.instrument.UnmodifiableClassException e) {
            // A change of shape (new fields or methods) cannot be redefined; JShell then replaces the class.
            throw new ExecutionControl.ClassInstallException("redefine: " + e, new boolean[classes.length]);
        }
    }

    /** The value the last snippet returned (a variable's value, an expression's result), or null. */
    public Object takeLastValue() {
        Object value = lastValue;
        lastValue = null;
        return value;
    }

    /** The throwable the last snippet threw, or null. */
    public Throwable takeLastThrowable() {
        Throwable throwable = lastThrowable;
        lastThrowable = null;
        return throwable;
    }
}
