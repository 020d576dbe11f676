package us.kbase.ee2proxy.policy;

/**
 * How a parallel app's job counts when its parent is an active parallel app of the SAME module.
 *
 * <p>KBParallel fans an app out into copies of itself: kb_Bowtie2 on a reads set submits
 * {@code kb_Bowtie2.align_reads_to_assembly_app} once per reads library, with
 * {@code parent_job_id} set. Those copies work on one item and never fan out again, so by
 * default they are children. Counting them as nested parents is safe for any app, but each copy
 * then takes a parent slot, which throttles the fan-out to a crawl.
 */
public enum OwnModuleJobs {
    CHILD,
    PARENT
}
