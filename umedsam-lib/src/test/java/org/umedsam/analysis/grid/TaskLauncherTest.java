package org.umedsam.analysis.grid;

import org.junit.jupiter.api.Test;
import org.umedsam.model.VectorSupport;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A grid task's JVM gets the vectorised kernels' module when the launching JVM has it, and the caller's options. */
class TaskLauncherTest {

    @Test
    void tasksInheritTheVectorModuleAndTheCallersOptions() {
        // test JVMs run with --add-modules jdk.incubator.vector (the build's surefire argLine)
        assertThat(VectorSupport.available()).isTrue();
        TaskLauncher l = TaskLauncher.of(Path.of("umedsam.jar")).plusJvmOptions(List.of("-Xmx2g"));
        assertThat(l.jvmOptions()).containsExactly("--add-modules", "jdk.incubator.vector", "-Xmx2g");
        assertThat(l.withJvmOptions(List.of("-Xmx1g")).jvmOptions()).containsExactly("-Xmx1g");
    }
}
