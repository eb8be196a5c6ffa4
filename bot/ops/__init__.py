"""Operations: moving data between deployments."""
