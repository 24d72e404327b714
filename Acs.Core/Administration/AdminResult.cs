namespace Acs.Core.Administration;

/// <summary>Why an administrative change was refused; the API turns the kind into an HTTP status.</summary>
public enum AdminErrorKind
{
    NotFound,
    Conflict,
    Invalid,
}

/// <summary>A refusal with a stable snake_case code, a sentence for a person and, when it is about one field, that field.</summary>
public sealed record AdminError(AdminErrorKind Kind, string Code, string Message, string? Field = null);

/// <summary>The outcome of an administrative use case: a value or an <see cref="AdminError"/>.</summary>
public sealed record AdminResult<T>(T? Value, AdminError? Error)
{
    public static AdminResult<T> Ok(T value) => new(value, null);

    public static AdminResult<T> Fail(AdminError error) => new(default, error);

    public static implicit operator AdminResult<T>(AdminError error) => Fail(error);
}

/// <summary>The error codes of the administration API.</summary>
public static class AdminErrorCodes
{
    public const string TenantNotFound = "tenant_not_found";
    public const string TenantExists = "tenant_exists";
    public const string MemberNotFound = "member_not_found";
    public const string MemberEmailExists = "member_email_exists";
    public const string SsoNotConfigured = "sso_not_configured";
    public const string CertificateNotFound = "certificate_not_found";
    public const string CertificateAlreadyTrusted = "certificate_already_trusted";
    public const string LastCertificate = "last_certificate";
    public const string MetadataInvalid = "metadata_invalid";

    public static AdminError TenantNotFoundError(string subdomain) =>
        new(AdminErrorKind.NotFound, TenantNotFound, $"No tenant has the subdomain '{subdomain}'.");
}

/// <summary>One page of a listing, with the total so a client can page on.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, int Offset, int Limit);
