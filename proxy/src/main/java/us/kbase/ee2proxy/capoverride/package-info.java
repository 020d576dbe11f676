/**
 * An operator's temporary override of one user's caps ({@code POST /users/NAME/limits} on the
 * admin port): kept beside the policy file's policy, applied on top of it at every read, so that a
 * reload keeps it, and ended by the clock alone (a read after its end no longer sees it). Kept per
 * replica: with several replicas each keeps its own.
 */
package us.kbase.ee2proxy.capoverride;
