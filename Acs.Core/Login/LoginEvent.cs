using Acs.Core.Diagnosis;

namespace Acs.Core.Login;

/// <summary>One login attempt as recorded in the login event log.</summary>
public sealed record LoginEvent(
    Guid Id,
    Guid TenantId,
    DateTimeOffset OccurredAt,
    string Outcome,
    string? ErrorCode,
    string? Message,
    string? Expected,
    string? Received,
    string? AssertionId,
    string? NameId,
    Guid? MemberId,
    string? ClientAddress,
    string? UserAgent)
{
    /// <summary>The known cause the evidence shows, or null (<see cref="SignInDiagnoser"/>).</summary>
    public SignInDiagnosis? Diagnosis { get; init; }
}

public static class LoginOutcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
}
