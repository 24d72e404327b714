using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
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
                    return AdminProblems.BodyRefused(body);
                }

                return await ValidateAsync(context, body.Value, next);
            })
            .WithRequestBody<T>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

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
            if (schema is OpenApiSchema concrete)
            {
                MarkRequiredFields<T>(concrete, context.ApplicationServices);
            }

            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = contentTypes.ToDictionary(c => c, _ => new OpenApiMediaType { Schema = schema }),
            };
        });

    /// <summary>
    /// Request fields are nullable in C#, so that a missing one is a validation error naming it rather than a binding
    /// failure; the generator would call every constructor parameter required and every field <c>null | string</c>.
    /// In the contract, exactly the fields marked [Required] are required, and they must not be null.
    /// </summary>
    private static void MarkRequiredFields<T>(OpenApiSchema schema, IServiceProvider services)
    {
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var required = json.GetTypeInfo(typeof(T)).Properties
            .Where(p => p.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true)
            .Select(p => p.Name)
            .ToHashSet(StringComparer.Ordinal);
        schema.Required = required.Count > 0 ? required : null;
        foreach (var name in required)
        {
            if (schema.Properties?.TryGetValue(name, out var property) == true && property is OpenApiSchema { Type: { } type } field)
            {
                field.Type = type & ~JsonSchemaType.Null;
            }
        }
    }

    private static async ValueTask<object?> ValidateAsync<T>(EndpointFilterInvocationContext context, T value, EndpointFilterDelegate next)
    {
        var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<T>>();
        var result = await validator.ValidateAsync(value, context.HttpContext.RequestAborted);
        return result.IsValid ? await next(context) : AdminProblems.Validation(result);
    }
}
