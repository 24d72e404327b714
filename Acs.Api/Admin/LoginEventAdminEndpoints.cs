using Acs.Core.LoginEvents;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Acs.Api.Admin;

/// <summary>The login event log: where support answers "why can't Britta sign in?".</summary>
public static class LoginEventAdminEndpoints
{
    internal static void MapLoginEventAdminEndpoints(this RouteGroupBuilder tenants) =>
        tenants.MapGet("/{subdomain}/login-events", ListLoginEvents)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Lists the tenant's sign-in attempts, newest first; ?outcome=failure|success, ?limit= (1-500, default 50).");

    internal static async Task<Results<Ok<IReadOnlyList<LoginEventResponse>>, ValidationProblem, ProblemHttpResult>> ListLoginEvents(
        string subdomain, string? limit, string? outcome, IValidator<LoginEventQuery> validator, LoginEventLog log, CancellationToken cancellationToken)
    {
        var query = new LoginEventQuery(limit, outcome);
        if (await validator.CheckAsync(query, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var result = await log.ListAsync(subdomain, query, cancellationToken);
        return result.Error is { } error
            ? AdminProblems.From(error)
            : TypedResults.Ok<IReadOnlyList<LoginEventResponse>>(result.Value!.Select(AdminViews.LoginEvent).ToList());
    }
}
