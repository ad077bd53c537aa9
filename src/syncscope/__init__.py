"""syncscope: is this Dynamics 365 server-side synchronization setup supported?"""
