package org.umedsam.kernel;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;

/**
 * Runs JShell snippets inside the kernel's own JVM and keeps what the last snippet produced as a
 * real object: its value (so a {@code BufferedImage} or a chart can be rendered, not just its
 * {@code toString}) or the throwable it threw (so the cell reports the real exception class,
 * not JShell's {@code EvalException}).
 *
 * <p>It is JShell's own in-process engine ({@link LocalExecutionControl}) with the value kept: each cell runs on a
 * thread of its own, and {@link #stop()} (the notebook's interrupt) is that engine's, which works on every JDK: on
 * 17 to 19 it stops the cell's thread with {@code Thread.stop}; from 20, where {@code Thread.stop} is gone, the
 * engine compiles a stop check into the cells' loops and interrupts the thread, so a cell's own loops stop and
 * library code that checks the interrupt flag (the trainer, after each step) does. Until 2026-12-07 this class ran
 * cells on the calling thread and relied on {@code Thread.stop} alone: on Temurin 25 the interrupt button could not
 * stop {@code while (true) {}}.
 *
 * <p>Snippet code runs with its own class loader as the thread's context class loader, so
 * libraries that look services up through it (ND4J backends, ServiceLoader) find the jars added
 * with {@code IJAVA_CLASSPATH} or {@code %jars}.
 */
public class ValueKeepingExecutionControl extends LocalExecutionControl {
    /** What {@link #runCell()} runs on the cell's thread, which inherits it from the thread that started the cell. */
    private static final InheritableThreadLocal<Cell> CELL = new InheritableThreadLocal<>();
    private static final Method RUN_CELL = runCellMethod();

    private volatile Object lastValue;
    private volatile Throwable lastThrowable;
    private volatile boolean running;
    private volatile boolean stopRequested;
    /** Set by {@link #stopCell()} until {@link #cellStarted()}: no further snippet of the cell may run. */
    private volatile boolean cellStop;

    /** A cell's snippet method and the control that keeps its outcome. */
    private record Cell(ValueKeepingExecutionControl control, Method doit) {
    }

    private static Method runCellMethod() {
        try {
            Method m = ValueKeepingExecutionControl.class.getDeclaredMethod("runCell");
            m.setAccessible(true);
            return m;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs the cell's snippet on the cell's thread (called by {@link LocalExecutionControl}'s {@code invoke}) and
     * keeps its value, or its throwable, which it rethrows so that the engine reports it as the snippet's.
     */
    private static Object runCell() throws Throwable {
        Cell cell = CELL.get();
        CELL.remove(); // threads the cell starts (pools' workers) must not keep it
        try {
            cell.control().lastValue = cell.doit().invoke(null);
            return null;
        } catch (InvocationTargetException e) {
            cell.control().lastThrowable = e.getCause();
            throw e.getCause();
        }
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        lastValue = null;
        lastThrowable = null;
        stopRequested = false;
        if (cellStop) {
            // the interrupt came while this snippet compiled, with nothing running to stop
            stopRequested = true;
            lastThrowable = new InterruptedException("the cell was stopped before this snippet ran");
            throw new InvocationTargetException(lastThrowable);
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // the cell's thread, started by the engine from this one, inherits both
        thread.setContextClassLoader(doitMethod.getDeclaringClass().getClassLoader());
        CELL.set(new Cell(this, doitMethod));
        try {
            super.invoke(RUN_CELL);
            Object value = lastValue;
            // JShell only shows this string; avoid toString(), which can be slow (large arrays) or throw.
            return value == null ? "null" : value.getClass().getName();
        } catch (StoppedException e) {
            // JShell treats a stopped snippet as one that ran; the cell must fail instead
            if (lastThrowable == null) {
                lastThrowable = new InterruptedException("the cell's thread was stopped");
            }
            throw new InvocationTargetException(lastThrowable);
        } finally {
            CELL.remove();
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    protected void clientCodeEnter() {
        running = true;
        super.clientCodeEnter();
    }

    @Override
    protected void clientCodeLeave() {
        super.clientCodeLeave();
        running = false;
    }

    /**
     * Stops the running cell, if any (the notebook's interrupt button): {@link LocalExecutionControl#stop()}, see
     * the class comment.
     */
    @Override
    public void stop() {
        if (running) {
            stopRequested = true;
            try {
                super.stop();
            } catch (ExecutionControl.ExecutionControlException e) {
                throw new IllegalStateException("could not stop the cell: " + e.getMessage(), e);
            }
        }
    }

    /** A new cell begins: an interrupt of the cell before it no longer counts. */
    public void cellStarted() {
        cellStop = false;
    }

    /**
     * Stops the cell: the snippet running now ({@link #stop()}), and any later snippet of the same cell before it
     * runs, so that an interrupt that comes between two snippets (while JShell compiles the next) is not lost.
     */
    public void stopCell() {
        cellStop = true;
        stop();
    }

    /** Whether {@link #stopCell()} was called since the cell started. */
    public boolean cellStopped() {
        return cellStop;
    }

    /** Whether a snippet is running now. */
    boolean running() {
        return running;
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
