package us.kbase.ee2proxy.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.kbase.ee2proxy.sim.app.AppProfile;
import us.kbase.ee2proxy.sim.app.ChildPlan;
import us.kbase.ee2proxy.sim.app.ChildShape;

/** The workload format: the shipped files load, defaults apply, and mistakes are named. */
class WorkloadTest {

    @Test
    void shippedWorkloadsLoad() throws Exception {
        Workload twelve = Workload.load(WorkloadRunTest.WORKLOADS.resolve("twelve-parallel-apps.yaml"));
        assertThat(twelve.name()).isEqualTo("twelve-parallel-apps");
        assertThat(twelve.submissions().get(0).repeat()).isEqualTo(12);
        assertThat(twelve.profile(WorkloadRunTest.PARENT).children()).isEqualTo(new ChildPlan(WorkloadRunTest.CHILD, 3, 3, 1));
        assertThat(twelve.submissions().get(1).jobClass()).isEqualTo("interactive");
        Workload mixed = Workload.load(WorkloadRunTest.WORKLOADS.resolve("mixed-lab.yaml"));
        assertThat(mixed.users()).hasSize(3);
        assertThat(mixed.submissions()).anyMatch(Submission::isBatch);
        assertThat(mixed.apps()).filteredOn(AppProfile::isParent).isNotEmpty()
                .allMatch(a -> a.children().shape() == ChildShape.KBPARALLEL);
        Workload bowtie = Workload.load(WorkloadRunTest.WORKLOADS.resolve("bowtie2-sample-sets.yaml"));
        assertThat(bowtie.profile(WorkloadRunTest.PARENT).children())
                .isEqualTo(new ChildPlan(WorkloadRunTest.CHILD, 3, 3, 1));
        assertThat(bowtie.profile(WorkloadRunTest.CHILD).seconds()).isEqualTo(15);
        assertThat(bowtie.submissions().get(0).repeat()).isEqualTo(5);
    }

    @Test
    void theChildShapeAndWsidAreWorkloadKeys(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("shapes.yaml");
        Files.writeString(f, "users: [{name: a, tokens: [t]}]\napps:\n"
                + "  - {method: m.old, children: {app: m.g, count: 2, shape: linked, wsid: 42}}\n"
                + "  - {method: m.real, children: {app: m.g, count: 2, shape: kbparallel}}\n"
                + "  - {method: m.default, children: {app: m.g, count: 2}}\n"
                + "submissions: [{at: 0, user: a, app: m.old}]\n");
        Workload w = Workload.load(f);
        assertThat(w.profile("m.old").children().shape()).isEqualTo(ChildShape.LINKED);
        assertThat(w.profile("m.old").children().wsid()).isEqualTo(42L);
        assertThat(w.profile("m.real").children().shape()).isEqualTo(ChildShape.KBPARALLEL);
        assertThat(w.profile("m.default").children().shape()).isEqualTo(ChildShape.KBPARALLEL);
        assertThat(w.profile("m.default").children().wsid()).isNull();
        Files.writeString(f, "users: [{name: a, tokens: [t]}]\n"
                + "apps: [{method: m.f, children: {app: m.g, count: 2, shape: narrative}}]\n");
        assertThatThrownBy(() -> Workload.load(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("narrative");
    }

    @Test
    void absentNumbersTakeDefaultsAndNameComesFromTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tiny.yaml");
        Files.writeString(f, "users: [{name: a, tokens: [t]}]\napps: [{method: m.f, seconds: 5, "
                + "children: {app: m.g, count: 2}}]\nsubmissions: [{at: 0, user: a, app: m.f}]\n");
        Workload w = Workload.load(f);
        assertThat(w.name()).isEqualTo("tiny");
        assertThat(w.speed()).isEqualTo(100);
        assertThat(w.quietSeconds()).isEqualTo(2);
        assertThat(w.profile("m.f").children().concurrent()).as("KBParallel's default").isEqualTo(3);
        assertThat(w.profile("m.f").children().maxRetries()).isEqualTo(1);
    }

    @Test
    void everyProblemIsNamed() {
        assertThatThrownBy(() -> Workload.builder("broken")
                .user("a")
                .app(AppProfile.parent("m.loop", 1, new ChildPlan("m.back", 1, 1, 0)))
                .app(AppProfile.parent("m.back", 1, new ChildPlan("m.loop", 1, 1, 0)))
                .submit(Submission.job(0, "nobody", "m.loop"))
                .submit(new Submission(0, "a", "m.x", List.of("m.y"), 1, 0, null, null, 0, null))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user 'a' needs at least one token")
                .hasMessageContaining("children nest back into")
                .hasMessageContaining("submissions[0]: user 'nobody' is not in users")
                .hasMessageContaining("submissions[1]: give exactly one of app and batch");
    }
}
