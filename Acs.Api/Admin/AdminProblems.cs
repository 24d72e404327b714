using Acs.Core.Administration;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Acs.Api.Admin;

/// <summary>The administration API's RFC 7807 answers; each carries a stable snake_case <c>code</c>.</summary>
internal static class AdminProblems
{
    public const string ValidationFailed = "validation_failed";

    public static ProblemHttpResult Problem(int status, string code, string detail, string? field = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (field is not null)
        {
            extensions["field"] = field;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: TitleOf(status), extensions: extensions);
    }

    public static ProblemHttpResult From(AdminError error) => Problem(error.Kind switch
    {
        AdminErrorKind.NotFound => StatusCodes.Status404NotFound,
        AdminErrorKind.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    }, error.Code, error.Message, error.Field);

    /// <summary>A 400 whose <c>errors</c> names each bad field (camelCase, as in the JSON) and whose <c>errorCodes</c> gives their codes.</summary>
    public static ValidationProblem Validation(IEnumerable<(string Field, string Code, string Message)> failures, string? detail = null)
    {
        var list = failures.ToList();
        var errors = list.GroupBy(f => f.Field).ToDictionary(g => g.Key, g => g.Select(f => f.Message).Distinct().ToArray());
        var codes = list.GroupBy(f => f.Field).ToDictionary(g => g.Key, g => g.Select(f => f.Code).Distinct().ToArray());
        return TypedResults.ValidationProblem(errors,
            detail: detail ?? "The request has invalid fields; see errors.",
            title: "The request is not valid.",
            extensions: new Dictionary<string, object?> { ["code"] = ValidationFailed, ["errorCodes"] = codes });
    }

    /// <summary>A JSON body that could not be read: 413 when it is over the size limit, else a 400 naming the field.</summary>
    public static IResult BodyRefused<T>(JsonBody<T> body)
        where T : class =>
        body.ErrorCode == JsonBody<T>.TooLargeCode
            ? Problem(StatusCodes.Status413PayloadTooLarge, body.ErrorCode, body.Error!)
            : Validation([(body.ErrorField!, body.ErrorCode!, body.Error!)], body.Error);

    public static ValidationProblem Validation(ValidationResult result) =>
        Validation(result.Errors.Select(e => (JsonName(e.PropertyName), SnakeCode(e.ErrorCode), e.ErrorMessage)));

    public static ValidationProblem Invalid(AdminError error) =>
        Validation([(error.Field ?? "body", error.Code, error.Message)], error.Message);

    /// <summary>"RoleMappings" → "roleMappings", "Paging.Limit" → "paging.limit": the names the client sent.</summary>
    internal static string JsonName(string propertyName) =>
        string.IsNullOrEmpty(propertyName)
            ? "body"
            : string.Join('.', propertyName.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));

    // Built-in FluentValidation codes are PascalCase validator names; ours are already snake_case.
    private static string SnakeCode(string code) =>
        code.EndsWith("Validator", StringComparison.Ordinal) ? "invalid" : code;

    private static string TitleOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request is not valid.",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status409Conflict => "Conflict",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        _ => "Error",
    };
}
