using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Acs.Api.Admin;

/// <summary>Validates the endpoint's <see cref="JsonBody{T}"/> or <c>[AsParameters]</c> query with FluentValidation before the handler runs.</summary>
internal static class AdminValidation
{
    public static RouteHandlerBuilder ValidateBody<T>(this RouteHandlerBuilder builder)
        where T : class =>
        builder
            .AddEndpointFilter(async (context, next) =>
            {
                var body = context.Arguments.OfType<JsonBody<T>>().Single();
                if (body.Value is null)
                {
                    return AdminProblems.Validation([(body.ErrorField!, body.ErrorCode!, body.Error!)], body.Error);
                }

                return await ValidateAsync(context, body.Value, next);
            })
            .WithRequestBody<T>("application/json")
            .ProducesValidationProblem();

    /// <summary>
    /// Validates a query assembled from string parameters (so <c>?limit=abc</c> is a field error, not a binding
    /// failure); null when valid.
    /// </summary>
    public static async Task<ValidationProblem?> CheckAsync<T>(this IValidator<T> validator, T value, CancellationToken cancellationToken)
    {
        var result = await validator.ValidateAsync(value, cancellationToken);
        return result.IsValid ? null : AdminProblems.Validation(result);
    }

    /// <summary>
    /// Documents the request body in OpenAPI only. <c>Accepts()</c> would also make routing answer 415 to another
    /// content type, before the API-key check; <see cref="JsonBody{T}"/> answers 400 itself.
    /// </summary>
    public static RouteHandlerBuilder WithRequestBody<T>(this RouteHandlerBuilder builder, params string[] contentTypes) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = contentTypes.ToDictionary(c => c, _ => new OpenApiMediaType { Schema = schema }),
            };
        });

    private static async ValueTask<object?> ValidateAsync<T>(EndpointFilterInvocationContext context, T value, EndpointFilterDelegate next)
    {
        var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<T>>();
        var result = await validator.ValidateAsync(value, context.HttpContext.RequestAborted);
        return result.IsValid ? await next(context) : AdminProblems.Validation(result);
    }
}
