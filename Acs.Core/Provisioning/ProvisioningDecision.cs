namespace Acs.Core.Provisioning;

/// <summary>What the just-in-time provisioning rules decided for one sign-in.</summary>
public abstract record ProvisioningDecision
{
    private ProvisioningDecision()
    {
    }

    /// <summary>Create a new member (JIT).</summary>
    public sealed record Create(string Email, string FirstName, string LastName, string Role, string Subject) : ProvisioningDecision;

    /// <summary>Refresh an existing member from the IdP; links the subject on the first SSO sign-in of an admin-created member.</summary>
    public sealed record Update(Guid MemberId, string Email, string FirstName, string LastName, string Subject) : ProvisioningDecision;

    /// <summary>Refuse the sign-in; nothing but the login event is written.</summary>
    public sealed record Deny(string Code, string Message) : ProvisioningDecision;
}
