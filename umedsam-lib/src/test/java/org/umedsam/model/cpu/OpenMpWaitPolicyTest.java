package org.umedsam.model.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The command line puts {@code OMP_WAIT_POLICY=PASSIVE} into its own environment before ND4J's native library
 * (and its OpenMP runtime, which reads the policy once) loads, so the README's {@code java -jar} commands run at
 * full speed without the variable. Checked in a child JVM started without it.
 */
class OpenMpWaitPolicyTest {

    /** libc's {@code getenv}: the process environment the native libraries read ({@link System#getenv} caches). */
    private interface LibC extends com.sun.jna.Library {
        String getenv(String name);
    }

    /** Child main: the policy as the native side sees it before and after, then ND4J loads and the engine warns or not. */
    public static final class Probe {
        public static void main(String[] args) {
            LibC c = com.sun.jna.Native.loadLibrary("c", LibC.class);
            System.out.println("before=" + c.getenv("OMP_WAIT_POLICY"));
            System.out.println("set=" + OpenMpWaitPolicy.preferPassive());
            System.out.println("after=" + c.getenv("OMP_WAIT_POLICY"));
            System.out.println("effective=" + OpenMpWaitPolicy.effective().orElse("none"));
            org.nd4j.linalg.factory.Nd4j.create(new float[] {1f, 2f}, 2).sumNumber();
            OpenMpWaitPolicy.warnIfSpinning();
        }
    }

    @Test
    void anUnsetPolicyBecomesPassiveBeforeTheNativeLibraryLoads() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName());
        pb.environment().remove("OMP_WAIT_POLICY");
        pb.environment().remove("OMP_NUM_THREADS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(out).contains("before=null", "set=true", "after=PASSIVE", "effective=PASSIVE (set by umedsam)");
        assertThat(err).doesNotContain("OMP_WAIT_POLICY is unset");
    }

    @Test
    void aPolicyTheUserSetIsKept() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName());
        pb.environment().put("OMP_WAIT_POLICY", "ACTIVE");
        pb.environment().remove("OMP_NUM_THREADS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(out).contains("before=ACTIVE", "set=false", "after=ACTIVE", "effective=ACTIVE");
        assertThat(err).contains("OMP_WAIT_POLICY is ACTIVE");
    }
}
