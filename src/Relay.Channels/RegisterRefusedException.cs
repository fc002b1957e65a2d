namespace Relay.Channels;

/// <summary>The hub refused <c>register</c> with something other than name_taken (protocol_mismatch, bad_msg, …).</summary>
internal sealed class RegisterRefusedException : Exception
{
    public RegisterRefusedException()
    {
    }

    public RegisterRefusedException(string message)
        : base(message)
    {
    }

    public RegisterRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RegisterRefusedException(string code, string message)
        : base($"{code}: {message}")
    {
        Code = code;
    }

    public string? Code { get; }
}
