package org.umedsam.kernel;

import java.util.Map;

import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/** Hands JShell one {@link ValueKeepingExecutionControl}, which the evaluator keeps to read values back. */
final class ValueKeepingExecutionControlProvider implements ExecutionControlProvider {
    private final ValueKeepingExecutionControl control;

    ValueKeepingExecutionControlProvider(ValueKeepingExecutionControl control) {
        this.control = control;
    }

    @Override
    public String name() {
        return "umedsam-direct";
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
        return control;
    }
}
