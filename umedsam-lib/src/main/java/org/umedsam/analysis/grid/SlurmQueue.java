package org.umedsam.analysis.grid;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The states SLURM holds for a set of jobs: {@code squeue} for the jobs it still has in memory (pending,
 * running, and for a while ended ones), {@code sacct} for older ones where accounting is enabled. Array
 * tasks are keyed {@code <array>_<index>}.
 */
final class SlurmQueue {
    private static final Set<String> ACTIVE = Set.of("PENDING", "RUNNING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED",
            "CONFIGURING", "COMPLETING", "RESIZING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT", "RESV_DEL_HOLD",
            "POWER_UP_NODE");

    private SlurmQueue() {
    }

    /** Whether a job in this state may still run (or is running). */
    static boolean isActive(String state) {
        return ACTIVE.contains(state);
    }

    /** Job (or array task) id to state for the given job ids; ids SLURM no longer knows are absent. */
    static Map<String, String> states(List<String> jobIds) throws IOException, InterruptedException {
        Map<String, String> out = new HashMap<>();
        if (jobIds.isEmpty()) {
            return out;
        }
        Command acct = Command.run(List.of("sacct", "-n", "-P", "-X", "-o", "JobID,State", "-j", String.join(",", jobIds)));
        if (acct.code() == 0) {
            parse(acct.stdout(), jobIds, out);
        }
        // squeue last: it knows the live state (a requeued task, for one) before accounting does
        Command q = Command.run(List.of("squeue", "-h", "-r", "-t", "all", "-u", System.getProperty("user.name"),
                "-o", "%i|%T"));
        if (q.code() != 0) {
            throw new IOException("squeue failed (exit " + q.code() + "): " + q.lastErrorLine());
        }
        parse(q.stdout(), jobIds, out);
        return out;
    }

    /** Lines {@code <id>|<state>[ by ...]} whose job (before any {@code _}) is one of {@code jobIds}. */
    static void parse(String listing, List<String> jobIds, Map<String, String> out) {
        for (String line : listing.split("\n")) {
            String[] f = line.strip().split("\\|");
            if (f.length < 2) {
                continue;
            }
            String id = f[0].strip();
            String job = id.contains("_") ? id.substring(0, id.indexOf('_')) : id;
            if (jobIds.contains(job)) {
                out.put(id, f[1].strip().split(" ")[0]);
            }
        }
    }
}
