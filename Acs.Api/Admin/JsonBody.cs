using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Acs.Api.Admin;

/// <summary>
/// A JSON request body that never fails to bind: a wrong content type or malformed JSON becomes an error the
/// validation filter turns into a 400 problem, a body over <see cref="MaxBytes"/> a 413 (the framework would answer
/// 415, or an empty 400, and before the API-key check).
/// </summary>
public sealed class JsonBody<T>
    where T : class
{
    public const int MaxBytes = 256 * 1024;

    public const string TooLargeCode = "body_too_large";

    private JsonBody(T? value, string? errorField, string? errorCode, string? error)
    {
        Value = value;
        ErrorField = errorField;
        ErrorCode = errorCode;
        Error = error;
    }

    public T? Value { get; }

    public string? ErrorField { get; }

    public string? ErrorCode { get; }

    public string? Error { get; }

    public static async ValueTask<JsonBody<T>> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return Fail("body", "content_type_unsupported",
                $"Send the body as JSON with 'Content-Type: application/json' (got '{request.ContentType ?? "none"}').");
        }

        var bytes = await AdminRequestBody.ReadAsync(request, MaxBytes, context.RequestAborted);
        if (bytes is null)
        {
            return Fail("body", TooLargeCode, $"The body is larger than {MaxBytes / 1024} KiB.");
        }

        if (bytes.Length == 0)
        {
            return Fail("body", "body_required", "The request needs a JSON body.");
        }

        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes, options);
            return value is null
                ? Fail("body", "body_required", "The request needs a JSON object, not null.")
                : new JsonBody<T>(value, null, null, null);
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? "body" : e.Path.TrimStart('$', '.');
            return Fail(field, "json_invalid", field == "body"
                ? $"The body is not well-formed JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1})."
                : "This value has the wrong type for the field, or the JSON is not well-formed here.");
        }
    }

    private static JsonBody<T> Fail(string field, string code, string message) => new(null, field, code, message);
}

internal static class AdminRequestBody
{
    /// <summary>Reads the body up to <paramref name="maxBytes"/>; null when it is longer.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
