package us.kbase.ee2proxy.policy.request;

/**
 * The parts of EE2's {@code job_requirements} that change whose slots a job takes. EE2 honours
 * them only together with a truthy {@code as_admin} from a real admin; EE2 itself rejects the
 * rest, so the proxy only needs to read them.
 *
 * @param present the key was present with a JSON object value
 * @param ignoreConcurrencyLimits Python truthiness of {@code ignore_concurrency_limits}
 *     (so the string "false" is true)
 * @param billToUser {@code bill_to_user} stripped as EE2 strips it (" u " bills u), when that leaves
 *     a non-empty string, else null
 */
public record JobRequirements(boolean present, boolean ignoreConcurrencyLimits, String billToUser) {
    public static final JobRequirements NONE = new JobRequirements(false, false, null);

    public JobRequirements {
        billToUser = PythonWhitespace.strip(billToUser);
        if (billToUser != null && billToUser.isEmpty()) {
            billToUser = null;
        }
    }
}
