namespace Acs.Core.Provisioning;

/// <summary>Who the IdP says signed in, as the provisioning rules need it.</summary>
public sealed record IdpIdentity(
    string Subject,
    string NameId,
    string? Email,
    string FirstName,
    string LastName,
    IReadOnlyList<string> Roles);
