using Acs.Core.Administration;
using Acs.Core.Diagnosis;
using Acs.Core.Tenants;
using FluentValidation;

namespace Acs.Core.LoginEvents;

/// <summary>One recorded sign-in attempt as support reads it.</summary>
public sealed record LoginEventEntry(
    Guid Id,
    DateTimeOffset OccurredAt,
    string Outcome,
    string? ErrorCode,
    string? Message,
    string? Expected,
    string? Received,
    string? NameId,
    Guid? MemberId,
    string? AssertionId,
    string? ClientAddress,
    string? UserAgent)
{
    /// <summary>The known cause recorded with the attempt, or null.</summary>
    public SignInDiagnosis? Diagnosis { get; init; }
}

/// <summary>Query of the login event log, as typed in the query string.</summary>
public sealed record LoginEventQuery(string? Limit, string? Outcome)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    // The outcomes the ACS records (login_events_outcome_check).
    public const string Success = "success";
    public const string Failure = "failure";

    public int LimitValue => PagingRequest.ParseOr(Limit, DefaultLimit);

    public static bool IsKnownOutcome(string? outcome) => outcome is Success or Failure;
}

public sealed class LoginEventQueryValidator : AbstractValidator<LoginEventQuery>
{
    public LoginEventQueryValidator()
    {
        RuleFor(q => q.Limit).Must(l => PagingRequest.IsIntegerIn(l, 1, LoginEventQuery.MaxLimit)).WithErrorCode("limit_invalid")
            .WithMessage($"limit must be a whole number from 1 to {LoginEventQuery.MaxLimit}.");
        RuleFor(q => q.Outcome).Must(LoginEventQuery.IsKnownOutcome).When(q => q.Outcome is not null).WithErrorCode("outcome_invalid")
            .WithMessage($"outcome must be {LoginEventQuery.Success} or {LoginEventQuery.Failure}.");
    }
}

/// <summary>Reads the login event log that the ACS writes.</summary>
public interface ILoginEventReader
{
    /// <summary>The newest events of one tenant first.</summary>
    Task<IReadOnlyList<LoginEventEntry>> ListAsync(Guid tenantId, string? outcome, int limit, CancellationToken cancellationToken);
}

public sealed class LoginEventLog(ILoginEventReader reader, ITenantAdminStore tenants)
{
    public async Task<AdminResult<IReadOnlyList<LoginEventEntry>>> ListAsync(string subdomain, LoginEventQuery query, CancellationToken cancellationToken)
    {
        var tenantId = SubdomainRules.IsWellFormed(subdomain) ? await tenants.FindIdAsync(subdomain, cancellationToken) : null;
        if (tenantId is null)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        return AdminResult<IReadOnlyList<LoginEventEntry>>.Ok(await reader.ListAsync(tenantId.Value, query.Outcome, query.LimitValue, cancellationToken));
    }
}
