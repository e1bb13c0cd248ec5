from payintents.cli import main

main()
