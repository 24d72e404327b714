using Acs.Core.Login;
using Acs.Core.Members;
using Acs.Core.Tenants;

namespace Acs.Core.Provisioning;

/// <summary>
/// The just-in-time provisioning rules: who may sign in, who is created, who is linked. Pure: the store finds the
/// candidate members inside its transaction and asks this policy what to do with them.
/// </summary>
public static class ProvisioningPolicy
{
    /// <param name="bySubject">The member keyed by (tenant, IdP subject), if any.</param>
    /// <param name="byEmail">The member with the identity's e-mail (case-insensitive), if any.</param>
    public static ProvisioningDecision Decide(TenantPolicy policy, IdpIdentity identity, Member? bySubject, Member? byEmail)
    {
        if (identity.Email is null)
        {
            return new ProvisioningDecision.Deny(LoginErrorCodes.EmailMissing,
                "The response carries no usable e-mail address: neither an emailaddress claim nor an e-mail-format NameID.");
        }

        if (policy.AllowedEmailDomains.Count > 0 && !IsAllowedDomain(identity.Email, policy.AllowedEmailDomains))
        {
            return new ProvisioningDecision.Deny(LoginErrorCodes.EmailDomainNotAllowed,
                $"The e-mail domain of {identity.Email} is not one of the allowed domains ({string.Join(", ", policy.AllowedEmailDomains)}).");
        }

        var existing = bySubject;
        if (existing is null && byEmail is not null)
        {
            if (byEmail.IdpSubject is not null && !string.Equals(byEmail.IdpSubject, identity.Subject, StringComparison.Ordinal))
            {
                return new ProvisioningDecision.Deny(LoginErrorCodes.MemberEmailConflict,
                    $"{identity.Email} already belongs to a member linked to another IdP user ({byEmail.IdpSubject}).");
            }

            existing = byEmail;
        }

        if (existing is not null)
        {
            if (existing.Status == MemberStatuses.Disabled)
            {
                return new ProvisioningDecision.Deny(LoginErrorCodes.MemberDisabled, $"The team member {existing.Email} is disabled.");
            }

            return new ProvisioningDecision.Update(existing.Id, identity.Email, identity.FirstName, identity.LastName, identity.Subject);
        }

        if (!policy.JitEnabled)
        {
            return new ProvisioningDecision.Deny(LoginErrorCodes.MemberUnknown,
                $"{identity.Email} is not a team member and just-in-time provisioning is off for this site.");
        }

        return new ProvisioningDecision.Create(identity.Email, identity.FirstName, identity.LastName, RoleFor(policy, identity), identity.Subject);
    }

    /// <summary>The mapped role of the IdP's role claims (the most privileged wins), else the tenant's default role.</summary>
    public static string RoleFor(TenantPolicy policy, IdpIdentity identity)
    {
        var mapped = identity.Roles
            .Select(r => policy.RoleMappings.TryGetValue(r, out var role) ? role : null)
            .Where(MemberRoles.IsKnown)
            .ToList();
        if (mapped.Contains(MemberRoles.ClientAdministrator))
        {
            return MemberRoles.ClientAdministrator;
        }

        return mapped.FirstOrDefault() ?? policy.DefaultRole;
    }

    private static bool IsAllowedDomain(string email, IReadOnlyList<string> allowed)
    {
        var domain = email[(email.LastIndexOf('@') + 1)..];
        return allowed.Any(d => string.Equals(d.Trim().TrimStart('@'), domain, StringComparison.OrdinalIgnoreCase));
    }
}
