"""What moves sandbox time: the scheduler, its tick batches, recipient transitions and back-pressure."""
