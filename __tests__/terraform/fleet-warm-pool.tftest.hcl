# fleet.warmPool: the bootstrap group's warm pool, when configured, is one AWS accepts, and terraform
# destroy removes it (and its instances) before the group.
# requires: aws_autoscaling_group.fleet_asg

run "plan_warm_pool" {
  command = plan

  assert {
    condition     = alltrue([for g in aws_autoscaling_group.fleet_asg : alltrue([for w in g.warm_pool : contains(["Stopped", "Hibernated", "Running"], w.pool_state) && w.min_size >= 0])])
    error_message = "A warm pool's state must be Stopped, Hibernated or Running."
  }
  assert {
    condition     = alltrue([for g in aws_autoscaling_group.fleet_asg : alltrue([for w in g.warm_pool : coalesce(w.max_group_prepared_capacity, -1) == -1 || coalesce(w.max_group_prepared_capacity, -1) >= w.min_size])])
    error_message = "A warm pool's max prepared capacity must hold at least its min size."
  }
  assert {
    condition     = alltrue([for g in aws_autoscaling_group.fleet_asg : length(g.warm_pool) == 0 || (coalesce(g.force_delete_warm_pool, false) && length(g.mixed_instances_policy) == 0)])
    error_message = "A warm pool is force-deleted with the group on destroy, and never beside a mixed instances policy."
  }
}
