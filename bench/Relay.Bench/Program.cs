Console.Error.WriteLine("relay-bench: not written yet");
return 1;
