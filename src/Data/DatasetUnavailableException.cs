namespace GpuSiamese.Data;

/// <summary>A dataset is in none of the places looked at and could not be fetched; the message says how to supply it by hand.</summary>
public class DatasetUnavailableException : Exception
{
    public DatasetUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
